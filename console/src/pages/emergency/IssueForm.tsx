/**
 * Compose an emergency for areas picked in the unit tree or on the map, or import a CAP file;
 * a dialog says what will happen before anything is sent. An author who may also approve
 * (admin) puts it on air at once; others submit it to their approvers.
 */
import { Alert, Button, Checkbox, Col, Form, Input, InputNumber, Modal, Row, Select, Space, Upload } from "antd";
import { useState } from "react";

import { ApiError, api, authorizedFetch, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { allows } from "../../auth/permissions";
import { useSession } from "../../auth/session";
import { DistrictMap } from "../../components/DistrictMap";
import { errorMessage } from "../../components/ErrorAlert";
import { UnitPicker } from "../../components/UnitPicker";
import { config } from "../../config";
import { useT } from "../../i18n";
import { emergencyMessages } from "./messages";
import { reachOf, toggle } from "./reach";

type Bulletin = components["schemas"]["BulletinView"];
type Content = components["schemas"]["BulletinContent"];

interface Fields {
  targets: string[];
  title: string;
  body: string;
  category: Content["category"];
  channels: Content["channels"];
  repeat: number;
  interval: number;
  duration?: number;
  validFor: number;
  event?: string;
  instruction?: string;
}

const CATEGORIES = ["disaster", "health", "security", "policy", "agriculture", "culture", "other"] as const;

export function IssueForm({ onIssued }: { onIssued: (bulletin: Bulletin) => void }) {
  const t = useT(emergencyMessages);
  const { user } = useSession();
  const [form] = Form.useForm<Fields>();
  const [modal, holder] = Modal.useModal();
  const [notice, setNotice] = useState<{ type: "success" | "error"; text: string }>();
  const targets = Form.useWatch("targets", form) ?? [];
  const atOnce = allows(user, "bulletins:approve");
  const province = user?.unit.length === 2;

  async function send(fields: Fields) {
    setNotice(undefined);
    let reach;
    try {
      reach = await reachOf(fields.targets);
    } catch (error) {
      setNotice({ type: "error", text: errorMessage(error, t) });
      return;
    }
    const what = {
      title: fields.title,
      devices: reach.devices,
      online: reach.online,
      areas: reach.names,
      repeat: fields.repeat,
      minutes: fields.validFor,
    };
    void modal.confirm({
      title: t("confirm.title"),
      content: t(atOnce ? "confirm.issue" : "confirm.submit", what),
      okText: t(atOnce ? "confirm.ok" : "confirm.send"),
      okButtonProps: { danger: true },
      cancelText: t("confirm.cancel"),
      onOk: () => create(fields),
    });
  }

  async function create(fields: Fields) {
    const now = new Date();
    const until = new Date(now.getTime() + fields.validFor * 60_000);
    const body: Content = {
      title: fields.title,
      body: fields.body,
      category: fields.category,
      priority: "emergency",
      targets: fields.targets,
      channels: fields.channels,
      schedule: { type: "once", at: now.toISOString() },
      valid_from: now.toISOString(),
      valid_until: until.toISOString(),
      repeat: fields.repeat > 1 ? { count: fields.repeat, interval_min: fields.interval } : null,
      duration_s: fields.duration ?? null,
      cap: fields.event ? { event: fields.event, instruction: fields.instruction || null } : null,
    } as Content;
    try {
      const draft: Bulletin = await ok(api().POST("/bulletins", { body }));
      let done: Bulletin = await ok(
        api().POST("/bulletins/{bulletin_id}/submit", { params: { path: { bulletin_id: draft.id } }, body: { version: draft.version } }),
      );
      if (atOnce) {
        done = await ok(
          api().POST("/bulletins/{bulletin_id}/approve", { params: { path: { bulletin_id: done.id } }, body: { version: done.version } }),
        );
      }
      setNotice({ type: "success", text: t(atOnce ? "issue.issued" : "issue.submitted", { title: done.title }) });
      form.resetFields();
      onIssued(done);
    } catch (error) {
      setNotice({ type: "error", text: errorMessage(error, t) });
    }
  }

  async function importCap(file: File) {
    setNotice(undefined);
    try {
      const response = await authorizedFetch(`${config().apiUrl}/alerts/cap`, {
        method: "POST",
        headers: { "Content-Type": "application/xml" },
        body: await file.text(),
      });
      const answer = (await response.json().catch(() => ({}))) as Bulletin & { code?: string; message?: string };
      if (!response.ok) throw new ApiError(response.status, answer.code ?? `http_${response.status}`, answer.message ?? "");
      setNotice({ type: "success", text: t("issue.capDone", { title: answer.title }) });
      onIssued(answer);
    } catch (error) {
      setNotice({ type: "error", text: errorMessage(error, t) });
    }
  }

  const required = (label: string) => [{ required: true, message: t("issue.required", { field: label.toLowerCase() }) }];
  return (
    <>
      {holder}
      <Row gutter={[16, 8]}>
        <Col xs={24} lg={12}>
          <Form<Fields>
            form={form}
            layout="vertical"
            onFinish={send}
            initialValues={{ targets: [], category: "disaster", channels: ["speaker", "board", "web"], repeat: 3, interval: 10, validFor: 120 }}
            data-testid="issue-form"
          >
            <Form.Item name="targets" label={t("issue.areas")} extra={t("issue.areasHelp")} rules={required(t("issue.areas"))}>
              <UnitPicker multiple />
            </Form.Item>
            <Form.Item name="title" label={t("issue.headline")} rules={required(t("issue.headline"))}>
              <Input maxLength={200} />
            </Form.Item>
            <Form.Item name="body" label={t("issue.body")} rules={required(t("issue.body"))}>
              <Input.TextArea rows={4} maxLength={10000} />
            </Form.Item>
            <Row gutter={8}>
              <Col xs={24} sm={12}>
                <Form.Item name="category" label={t("issue.category")}>
                  <Select options={CATEGORIES.map((c) => ({ value: c, label: t(`category.${c}` as const) }))} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item
                  name="channels"
                  label={t("issue.channels")}
                  // Not `required`: antd would put aria-required on the group's div, which axe refuses.
                  rules={[{ type: "array", min: 1, message: t("issue.required", { field: t("issue.channels").toLowerCase() }) }]}
                >
                  <Checkbox.Group
                    options={(["speaker", "board", "web"] as const).map((c) => ({ value: c, label: t(`channel.${c}` as const) }))}
                  />
                </Form.Item>
              </Col>
              <Col xs={12} sm={6}>
                <Form.Item name="repeat" label={t("issue.repeat")}>
                  <InputNumber min={1} max={10} />
                </Form.Item>
              </Col>
              <Col xs={12} sm={6}>
                <Form.Item name="interval" label={t("issue.interval")}>
                  <InputNumber min={1} max={180} />
                </Form.Item>
              </Col>
              <Col xs={12} sm={6}>
                <Form.Item name="validFor" label={t("issue.validFor")}>
                  <InputNumber min={5} max={2880} />
                </Form.Item>
              </Col>
              <Col xs={12} sm={6}>
                <Form.Item name="duration" label={t("issue.duration")} tooltip={t("issue.durationHelp")}>
                  <InputNumber min={1} max={10800} />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item name="event" label={t("issue.event")}>
              <Input maxLength={200} />
            </Form.Item>
            <Form.Item name="instruction" label={t("issue.instruction")}>
              <Input maxLength={2000} />
            </Form.Item>
            <Space wrap>
              <Button type="primary" danger htmlType="submit">
                {t("issue.submit")}
              </Button>
              <Upload
                accept=".xml,application/xml,text/xml"
                showUploadList={false}
                beforeUpload={(file) => {
                  void importCap(file);
                  return false;
                }}
              >
                <Button>{t("issue.cap")}</Button>
              </Upload>
            </Space>
            <p className="help-text">{t("issue.capHelp")}</p>
            {notice && <Alert type={notice.type} showIcon description={notice.text} role="status" className="form-alert" />}
          </Form>
        </Col>
        {province && (
          <Col xs={24} lg={12}>
            <DistrictMap
              label={t("issue.map")}
              selected={targets}
              districts={Object.fromEntries(targets.map((code) => [code, { fill: "#ff7875", tooltip: code }]))}
              onDistrictClick={(code) => form.setFieldValue("targets", toggle(form.getFieldValue("targets") ?? [], code))}
              height={420}
            />
          </Col>
        )}
      </Row>
    </>
  );
}
