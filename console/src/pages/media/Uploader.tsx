/** Choose a file, watch it upload (progress bar), then see the ingest's verdict. */
import { Alert, Button, Progress, Select, Space, Typography } from "antd";
import { useId, useRef, useState } from "react";

import { errorMessage } from "../../components/ErrorAlert";
import { useT } from "../../i18n";
import { uploadFile, waitForVerdict } from "../../media";
import type { MediaView, Purpose } from "../../media";
import { mediaMessages } from "./messages";

const PURPOSES: Purpose[] = ["audio", "image", "video", "document"];

export function Uploader({ onDone }: { onDone: (item: MediaView) => void }) {
  const t = useT(mediaMessages);
  const input = useRef<HTMLInputElement>(null);
  const purposeLabel = useId();
  const [purpose, setPurpose] = useState<Purpose>("audio");
  const [progress, setProgress] = useState<number | null>(null);
  const [checking, setChecking] = useState(false);
  const [verdict, setVerdict] = useState<MediaView | null>(null);
  const [error, setError] = useState<unknown>(null);

  const send = async (file: File) => {
    setError(null);
    setVerdict(null);
    setProgress(0);
    try {
      const id = await uploadFile(file, purpose, setProgress);
      setChecking(true);
      const item = await waitForVerdict(id);
      setVerdict(item);
      onDone(item);
    } catch (reason) {
      setError(reason);
    } finally {
      setChecking(false);
    }
  };

  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Typography.Text type="secondary">{t("media.uploadHint")}</Typography.Text>
      <Space wrap>
        <span id={purposeLabel}>{t("media.purpose")}</span>
        <Select<Purpose>
          aria-labelledby={purposeLabel}
          value={purpose}
          onChange={setPurpose}
          style={{ minWidth: 140 }}
          options={PURPOSES.map((value) => ({ value, label: t(`media.purpose.${value}`) }))}
        />
        <input
          ref={input}
          type="file"
          aria-label={t("media.chooseFile")}
          className="visually-hidden"
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) void send(file);
            event.target.value = "";
          }}
        />
        <Button type="primary" onClick={() => input.current?.click()} disabled={checking}>
          {t("media.chooseFile")}
        </Button>
      </Space>
      {progress !== null && (
        <Progress percent={progress} aria-label={t("media.progress")} status={error ? "exception" : undefined} />
      )}
      {checking && <Alert type="info" title={t("media.checking")} showIcon />}
      {verdict?.status === "ready" && (
        <Alert type="success" showIcon title={t("media.accepted", { name: verdict.file_name })} />
      )}
      {verdict && verdict.status !== "ready" && (
        <Alert type="error" showIcon title={t("media.rejected", { reason: verdict.reason?.message ?? verdict.status })} />
      )}
      {!!error && <Alert type="error" showIcon title={errorMessage(error, t)} />}
    </Space>
  );
}
