/** Issue a directive to units below the user's unit, optionally naming a bulletin they must broadcast. */
import { Alert, Button, Card, Col, Form, Input, InputNumber, Row } from "antd";
import { useState } from "react";
import { useNavigate } from "react-router-dom";

import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { useSession } from "../../auth/session";
import { errorMessage } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { UnitPicker } from "../../components/UnitPicker";
import { todayInVietnam } from "../../format";
import { useT } from "../../i18n";
import { directiveMessages } from "./messages";

type Request = components["schemas"]["DirectiveRequest"];

interface Fields {
  title: string;
  text: string;
  due: string;
  targets: string[];
  bulletinId?: string;
  perDay?: number;
  until?: string;
}

export default function IssueDirectivePage() {
  const t = useT(directiveMessages);
  const { user } = useSession();
  const navigate = useNavigate();
  const [form] = Form.useForm<Fields>();
  const [problem, setProblem] = useState<string>();
  const [sending, setSending] = useState(false);
  const today = todayInVietnam();

  async function send(fields: Fields) {
    setProblem(undefined);
    setSending(true);
    const body: Request = {
      title: fields.title,
      text: fields.text,
      due: fields.due,
      // The issuer's own unit is not a target (directives go down).
      targets: fields.targets.filter((code) => code !== user?.unit),
      bulletins: fields.bulletinId
        ? [{ bulletin_id: fields.bulletinId.trim(), plays_per_day: fields.perDay ?? 1, until: fields.until || fields.due }]
        : [],
    };
    try {
      const made = await ok(api().POST("/directives", { body }));
      navigate(`/directives/${made.id}`);
    } catch (error) {
      setProblem(errorMessage(error, t));
    } finally {
      setSending(false);
    }
  }

  const required = (label: string) => [{ required: true, message: t("dir.required", { field: label.toLowerCase() }) }];
  return (
    <>
      <PageHeader title={t("dir.new")} />
      <Row>
        <Col xs={24} lg={16}>
          <Form<Fields> form={form} layout="vertical" onFinish={send} initialValues={{ targets: [], due: today, perDay: 3 }} data-testid="directive-form">
            <Form.Item name="targets" label={t("dir.targets")} extra={t("dir.targetsHelp")} rules={required(t("dir.targets"))}>
              <UnitPicker multiple label={t("dir.targets")} />
            </Form.Item>
            <Form.Item name="title" label={t("dir.name")} rules={required(t("dir.name"))}>
              <Input maxLength={200} />
            </Form.Item>
            <Form.Item name="text" label={t("dir.text")} rules={required(t("dir.text"))}>
              <Input.TextArea rows={5} maxLength={10000} />
            </Form.Item>
            <Form.Item name="due" label={t("dir.due")} rules={required(t("dir.due"))}>
              <Input type="date" min={today} />
            </Form.Item>
            <Card size="small" title={t("dir.linked")} className="directive-card">
              <Alert type="info" title={t("dir.linkedHelp")} className="directive-hint" />
              <Row gutter={12}>
                <Col xs={24} sm={10}>
                  <Form.Item name="bulletinId" label={t("dir.bulletinId")}>
                    <Input maxLength={64} />
                  </Form.Item>
                </Col>
                <Col xs={12} sm={6}>
                  <Form.Item name="perDay" label={t("dir.perDay")}>
                    <InputNumber min={1} max={24} style={{ width: "100%" }} />
                  </Form.Item>
                </Col>
                <Col xs={12} sm={8}>
                  <Form.Item name="until" label={t("dir.until")}>
                    <Input type="date" min={today} />
                  </Form.Item>
                </Col>
              </Row>
            </Card>
            {problem && <Alert type="error" showIcon title={problem} className="directive-error" />}
            <Button type="primary" htmlType="submit" loading={sending} className="directive-submit">
              {t("dir.send")}
            </Button>
          </Form>
        </Col>
      </Row>
    </>
  );
}
