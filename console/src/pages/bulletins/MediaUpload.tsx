/**
 * Media attached by signed upload (src/media.ts: the presigned POST with its progress, then the
 * ingest's verdict), listed by file name.
 */
import { DeleteOutlined } from "@ant-design/icons";
import { Alert, Button, List, Progress, Space, Tag, Typography } from "antd";
import { useEffect, useState } from "react";

import { api, ApiError, ok } from "../../api/client";
import { errorMessage } from "../../components/ErrorAlert";
import { useT } from "../../i18n";
import { uploadFile, waitForVerdict } from "../../media";
import type { MediaView } from "../../media";
import { bulletinMessages } from "./messages";
import { style } from "./parts";

export function MediaUpload({ value, onChange }: { value: string[]; onChange: (ids: string[]) => void }) {
  const t = useT(bulletinMessages);
  const [known, setKnown] = useState<Record<string, MediaView>>({});
  const [progress, setProgress] = useState<{ name: string; percent: number; processing: boolean }>();
  const [error, setError] = useState<unknown>();
  const [rejected, setRejected] = useState<MediaView>();

  useEffect(() => {
    for (const id of value)
      if (!known[id])
        ok(api().GET("/media/{id}", { params: { path: { id } } })).then(
          (media) => setKnown((all) => ({ ...all, [id]: media })),
          () => undefined,
        );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value.join(",")]);

  const upload = async (file: File) => {
    setError(undefined);
    setRejected(undefined);
    const purpose = file.type.startsWith("audio/") ? "audio" : file.type.startsWith("image/") ? "image" : null;
    if (!purpose) {
      setError(new Error(t("media.unsupported")));
      return;
    }
    try {
      setProgress({ name: file.name, percent: 0, processing: false });
      const id = await uploadFile(file, purpose, (percent) =>
        setProgress({ name: file.name, percent, processing: percent === 100 }),
      );
      setProgress({ name: file.name, percent: 100, processing: true });
      const media = await waitForVerdict(id);
      setKnown((all) => ({ ...all, [media.id]: media }));
      if (media.status === "ready") onChange([...value, media.id]);
      else setRejected(media);
    } catch (problem) {
      setError(problem instanceof ApiError && problem.code === "upload_refused" ? new Error(t("media.uploadFailed", { status: problem.status })) : problem);
    } finally {
      setProgress(undefined);
    }
  };

  return (
    <fieldset className="bulletin-fieldset">
      <legend>{t("media.title")}</legend>
      <List
        size="small"
        dataSource={value}
        locale={{ emptyText: " " }}
        renderItem={(id) => (
          <List.Item
            actions={[
              <Button
                key="remove"
                type="text"
                icon={<DeleteOutlined />}
                aria-label={t("media.remove", { name: known[id]?.file_name ?? id })}
                onClick={() => onChange(value.filter((other) => other !== id))}
              />,
            ]}
          >
            <Space wrap>
              <Typography.Text>{known[id]?.file_name ?? id}</Typography.Text>
              <Tag style={style("green")}>{t("media.ready")}</Tag>
            </Space>
          </List.Item>
        )}
      />
      <label className="bulletin-file">
        <span>{t("media.choose")}</span>
        <input
          type="file"
          accept="audio/*,image/*"
          data-testid="media-file"
          disabled={!!progress}
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = "";
            if (file) void upload(file);
          }}
        />
      </label>
      {progress && (
        <div data-testid="upload-progress">
          <Typography.Text>{progress.processing ? t("media.processing") : t("media.uploading", { name: progress.name })}</Typography.Text>
          <Progress percent={progress.percent} status={progress.processing ? "active" : undefined} aria-label={t("media.uploading", { name: progress.name })} />
        </div>
      )}
      {rejected && (
        <Alert
          type="error"
          showIcon
          title={`${rejected.file_name}: ${rejected.status === "failed" ? t("media.failed") : t("media.rejected")}`}
          description={rejected.reason?.message}
        />
      )}
      {error !== undefined && <Alert type="error" showIcon title={errorMessage(error, t)} />}
    </fieldset>
  );
}
