/**
 * Provision a device (operators): the API answers its bundle, private key included, exactly
 * once. The dialog then offers the download and will not close quietly before it is taken.
 */
import { Alert, Button, Form, Input, InputNumber, Modal, Result, Select, Space } from "antd";
import { useState } from "react";

import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { errorMessage } from "../../components/ErrorAlert";
import { UnitPicker } from "../../components/UnitPicker";
import { useT } from "../../i18n";
import { deviceMessages } from "./messages";

type Registration = components["schemas"]["DeviceRegistration"];
type Bundle = components["schemas"]["ProvisioningBundle"];

interface Fields {
  kind: "speaker" | "board";
  unit: string;
  name: string;
  lat: number;
  lon: number;
  vendor: string;
  model: string;
  speakers: number;
}

export function ProvisionDialog({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const t = useT(deviceMessages);
  const [form] = Form.useForm<Fields>();
  const [sending, setSending] = useState(false);
  const [failure, setFailure] = useState<string>();
  const [bundle, setBundle] = useState<Bundle>();
  const [downloaded, setDownloaded] = useState(false);

  async function submit(fields: Fields) {
    setSending(true);
    setFailure(undefined);
    const body: Registration = {
      kind: fields.kind,
      unit: fields.unit,
      name: fields.name,
      location: { lat: fields.lat, lon: fields.lon },
      vendor: fields.vendor,
      model: fields.model,
      speakers: fields.kind === "speaker" ? fields.speakers : 0,
    };
    try {
      setBundle(await ok(api().POST("/devices", { body })));
      onDone();
    } catch (error) {
      setFailure(errorMessage(error, t));
    } finally {
      setSending(false);
    }
  }

  function download() {
    if (!bundle) return;
    const blob = new Blob([JSON.stringify(bundle, null, 2)], { type: "application/json" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `${bundle.thing}.json`;
    link.click();
    URL.revokeObjectURL(link.href);
    setDownloaded(true);
  }

  function close() {
    if (bundle && !downloaded) {
      Modal.confirm({ title: t("provision.closeUnsaved"), okText: t("provision.close"), cancelText: t("commands.cancel"), onOk: onClose });
      return;
    }
    onClose();
  }

  const required = (field: string) => [{ required: true, message: t("provision.required", { field: field.toLowerCase() }) }];
  const kind = Form.useWatch("kind", form);

  return (
    <Modal open title={t("provision.title")} onCancel={close} footer={null} destroyOnHidden width={560}>
      {bundle ? (
        <Result
          status="success"
          title={t("provision.done", { thing: bundle.thing })}
          subTitle={<Alert type="warning" showIcon description={t("provision.warning")} />}
          extra={
            <Space direction="vertical">
              <Button type="primary" onClick={download} disabled={downloaded} data-testid="bundle-download">
                {t("provision.download", { thing: bundle.thing })}
              </Button>
              {downloaded && <span role="status">{t("provision.downloaded")}</span>}
              <Button onClick={close} data-testid="provision-close">
                {t("provision.close")}
              </Button>
            </Space>
          }
        />
      ) : (
        <Form<Fields>
          form={form}
          layout="vertical"
          onFinish={submit}
          initialValues={{ kind: "speaker", vendor: "", model: "", speakers: 4, lat: 13.77, lon: 109.22 }}
        >
          <Alert type="warning" showIcon description={t("provision.warning")} className="form-alert" />
          <Form.Item name="kind" label={t("provision.kind")} rules={required(t("provision.kind"))}>
            <Select
              options={[
                { value: "speaker", label: t("kind.speaker") },
                { value: "board", label: t("kind.board") },
              ]}
            />
          </Form.Item>
          <Form.Item name="unit" label={t("provision.unit")} rules={required(t("provision.unit"))}>
            <UnitPicker />
          </Form.Item>
          <Form.Item name="name" label={t("provision.name")} rules={required(t("provision.name"))}>
            <Input maxLength={200} />
          </Form.Item>
          <Space wrap>
            <Form.Item name="lat" label={t("provision.lat")} rules={required(t("provision.lat"))}>
              <InputNumber min={6} max={24} step={0.0001} />
            </Form.Item>
            <Form.Item name="lon" label={t("provision.lon")} rules={required(t("provision.lon"))}>
              <InputNumber min={102} max={118} step={0.0001} />
            </Form.Item>
            {kind !== "board" && (
              <Form.Item name="speakers" label={t("provision.speakers")}>
                <InputNumber min={0} max={64} />
              </Form.Item>
            )}
          </Space>
          <Form.Item name="vendor" label={t("provision.vendor")} rules={required(t("provision.vendor"))}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="model" label={t("provision.model")} rules={required(t("provision.model"))}>
            <Input maxLength={100} />
          </Form.Item>
          {failure && <Alert type="error" showIcon description={failure} className="form-alert" />}
          <Button type="primary" htmlType="submit" loading={sending}>
            {t("provision.submit")}
          </Button>
        </Form>
      )}
    </Modal>
  );
}
