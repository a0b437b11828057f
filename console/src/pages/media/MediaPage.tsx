/** The media library of the user's area: status, players for every processed version, uploads. */
import { Button, Card, Collapse, Segmented, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";

import { api, ok } from "../../api/client";
import { allows } from "../../auth/permissions";
import { useSession } from "../../auth/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { useApi } from "../../components/useApi";
import { formatDateTime, formatNumber } from "../../format";
import { useLocale, useT } from "../../i18n";
import type { MediaView } from "../../media";
import { mediaMessages } from "./messages";
import { Uploader } from "./Uploader";

type Status = MediaView["status"];
// Solid fills with white text: Ant Design's preset status tags (green on pale green) fall
// below WCAG AA contrast when the row under them is highlighted.
const STATUS_COLOUR: Record<Status, string> = {
  awaiting_upload: "default",
  processing: "#0b57d0",
  ready: "#166534",
  rejected: "#b91c1c",
  failed: "#b91c1c",
};

function Player({ item }: { item: MediaView }) {
  const variant = item.variants.find((v) => v.url);
  if (!variant?.url) return null;
  if (variant.content_type.startsWith("audio/")) {
    return <audio controls preload="none" src={variant.url} aria-label={item.file_name} className="media-audio" />;
  }
  if (variant.content_type.startsWith("video/")) {
    return <video controls preload="none" src={variant.url} aria-label={item.file_name} width={240} />;
  }
  if (variant.content_type.startsWith("image/")) {
    return <img src={variant.url} alt={item.file_name} width={120} />;
  }
  return (
    <a href={variant.url} target="_blank" rel="noreferrer">
      {variant.name}
    </a>
  );
}

export default function MediaPage() {
  const t = useT(mediaMessages);
  const { locale } = useLocale();
  const { user } = useSession();
  const [status, setStatus] = useState<Status | "all">("all");
  const [pages, setPages] = useState<MediaView[][]>([]);
  const [next, setNext] = useState<string | null>(null);

  const { error, loading, reload } = useApi(async () => {
    const page = await ok(
      api().GET("/media", {
        params: { query: { unit: user?.unit, status: status === "all" ? undefined : status, limit: 25 } },
      }),
    );
    setPages([page.items]);
    setNext(page.next ?? null);
    return page;
  }, [status, user?.unit]);

  const more = async () => {
    if (!next) return;
    const page = await ok(
      api().GET("/media", {
        params: { query: { unit: user?.unit, status: status === "all" ? undefined : status, limit: 25, next } },
      }),
    );
    setPages((seen) => [...seen, page.items]);
    setNext(page.next ?? null);
  };

  const items = pages.flat();
  return (
    <>
      <PageHeader title={t("media.title")} />
      {allows(user, "media:upload") && (
        <Card size="small" title={<h2 className="card-title">{t("media.upload")}</h2>} className="page-card">
          <Uploader onDone={reload} />
        </Card>
      )}
      <div className="page-filters scroll-x">
        <Segmented<Status | "all">
          aria-label={t("media.status")}
          value={status}
          onChange={setStatus}
          options={(["all", "ready", "processing", "rejected"] as const).map((value) => ({
            value,
            label: value === "all" ? t("media.all") : t(`media.status.${value}`),
          }))}
        />
      </div>
      {error ? (
        <ErrorAlert error={error} onRetry={reload} />
      ) : (
        <Table<MediaView>
          size="small"
          rowKey="id"
          loading={loading}
          dataSource={items}
          pagination={false}
          scroll={{ x: 980 }}
          locale={{ emptyText: <Typography.Text>{t("media.empty")}</Typography.Text> }}
          columns={[
            {
              title: t("media.file"),
              dataIndex: "file_name",
              width: 260,
              render: (name: string, item) => (
                <Space direction="vertical" size={0}>
                  <Typography.Text strong className="break-all">
                    {name}
                  </Typography.Text>
                  {item.reason && <Typography.Text type="danger">{item.reason.message}</Typography.Text>}
                </Space>
              ),
            },
            {
              title: t("media.status"),
              dataIndex: "status",
              render: (value: Status) => <Tag color={STATUS_COLOUR[value]}>{t(`media.status.${value}`)}</Tag>,
            },
            {
              title: t("media.duration"),
              dataIndex: "duration_s",
              render: (value: number | null) =>
                value == null ? "—" : t("media.seconds", { value: formatNumber(Math.round(value * 10) / 10, locale) }),
            },
            { title: t("media.created"), dataIndex: "created_at", render: (value: string) => formatDateTime(value, locale) },
            { title: t("media.by"), render: (_: unknown, item) => item.uploaded_by.username },
            { title: t("media.play"), render: (_: unknown, item) => <Player item={item} /> },
            {
              title: t("media.variants"),
              render: (_: unknown, item) =>
                item.variants.length ? (
                  <Collapse
                    size="small"
                    ghost
                    items={[
                      {
                        key: "v",
                        label: item.variants.length,
                        children: (
                          <ul className="plain-list">
                            {item.variants.map((variant) => (
                              <li key={variant.name}>
                                {variant.url ? (
                                  <a href={variant.url} target="_blank" rel="noreferrer">
                                    {variant.name}
                                  </a>
                                ) : (
                                  variant.name
                                )}{" "}
                                · {variant.content_type} · {formatNumber(Math.round(variant.size / 1024), locale)} KB
                              </li>
                            ))}
                          </ul>
                        ),
                      },
                    ]}
                  />
                ) : (
                  "—"
                ),
            },
          ]}
        />
      )}
      {next && (
        <Button onClick={() => void more()} className="more-button">
          {t("media.more")}
        </Button>
      )}
    </>
  );
}
