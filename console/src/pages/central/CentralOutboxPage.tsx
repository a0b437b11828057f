/**
 * What the province has sent up to the national system (reports, essential bulletins): each
 * item's status, attempts and last error; a dead item can be sent again by an approver.
 */
import { Alert, App, Button, Segmented, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router-dom";

import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { allows } from "../../auth/permissions";
import { useSession } from "../../auth/session";
import { ErrorAlert, errorMessage } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { useApi } from "../../components/useApi";
import { formatDateTime } from "../../format";
import { useLocale, useT } from "../../i18n";
import { centralMessages } from "./messages";

type Item = components["schemas"]["OutboxItem"];
type Status = components["schemas"]["OutboxStatus"];
type Filter = Status | "all";

const COLOUR: Record<Status, string> = {
  pending: "#1d4ed8",
  sent: "#166534",
  failed: "#9a3412",
  dead: "#b91c1c",
};

export default function CentralOutboxPage() {
  const t = useT(centralMessages);
  const { locale } = useLocale();
  const { message } = App.useApp();
  const { user } = useSession();
  const [filter, setFilter] = useState<Filter>("all");
  const [busy, setBusy] = useState<string>();
  const outbox = useApi(
    () =>
      ok(
        api().GET("/central/outbox", {
          params: { query: filter === "all" ? {} : { status: filter } },
        }),
      ),
    [filter],
    30_000,
  );
  const mayRetry = allows(user, "central:retry");

  const retry = async (item: Item) => {
    setBusy(item.id);
    try {
      await ok(api().POST("/central/outbox/{item_id}/retry", { params: { path: { item_id: item.id } } }));
      message.success(t("central.retried"));
    } catch (error) {
      message.error(errorMessage(error, t));
    } finally {
      setBusy(undefined);
      outbox.reload();
    }
  };

  const statuses: Status[] = ["pending", "failed", "sent", "dead"];
  return (
    <>
      <PageHeader title={t("central.title")} />
      <Typography.Paragraph type="secondary">{t("central.intro")}</Typography.Paragraph>
      {outbox.data && !outbox.data.configured && (
        <Alert type="warning" showIcon title={t("central.notConfigured")} className="page-card" />
      )}
      <div className="page-filters scroll-x">
        <Segmented<Filter>
          aria-label={t("central.filter")}
          value={filter}
          onChange={setFilter}
          options={[
            { value: "all", label: t("central.all") },
            ...statuses.map((status) => ({ value: status, label: t(`central.status.${status}`) })),
          ]}
        />
      </div>
      {outbox.error ? (
        <ErrorAlert error={outbox.error} onRetry={outbox.reload} />
      ) : (
        <Table<Item>
          size="small"
          rowKey="id"
          loading={outbox.loading}
          dataSource={outbox.data?.items}
          pagination={{ pageSize: 25, hideOnSinglePage: true }}
          scroll={{ x: 960 }}
          locale={{ emptyText: <Typography.Text>{t("central.empty")}</Typography.Text> }}
          columns={[
            {
              title: t("central.item"),
              render: (_: unknown, item) => (
                <Space direction="vertical" size={0}>
                  {item.kind === "bulletin" ? (
                    <Link to={`/bulletins/${item.subject_id}`}>{item.title}</Link>
                  ) : (
                    <Typography.Text>{item.title}</Typography.Text>
                  )}
                  <Typography.Text type="secondary" className="small-text">
                    {t(`central.kind.${item.kind}`)} · {item.id}
                  </Typography.Text>
                </Space>
              ),
            },
            {
              title: t("central.status"),
              width: 150,
              render: (_: unknown, item) => <Tag color={COLOUR[item.status ?? "pending"]}>{t(`central.status.${item.status ?? "pending"}`)}</Tag>,
            },
            { title: t("central.attempts"), width: 90, align: "right", render: (_: unknown, item) => item.attempts ?? 0 },
            { title: t("central.created"), width: 150, render: (_: unknown, item) => formatDateTime(item.created_at, locale) },
            {
              title: t("central.when"),
              width: 170,
              render: (_: unknown, item) => {
                const when = item.sent_at ?? item.next_attempt_at ?? item.dead_at;
                return (
                <Space direction="vertical" size={0}>
                  <span>{when ? formatDateTime(when, locale) : "—"}</span>
                  {item.receipt && (
                    <Typography.Text type="secondary" className="small-text">
                      {t("central.receipt", { receipt: item.receipt })}
                    </Typography.Text>
                  )}
                </Space>
                );
              },
            },
            {
              title: t("central.error"),
              render: (_: unknown, item) =>
                item.last_error ? (
                  <Typography.Text type="danger" ellipsis={{ tooltip: item.last_error }} style={{ maxWidth: 260 }}>
                    {item.last_error}
                  </Typography.Text>
                ) : (
                  "—"
                ),
            },
            ...(mayRetry
              ? [
                  {
                    title: t("central.retry"),
                    width: 110,
                    render: (_: unknown, item: Item) =>
                      item.status === "dead" ? (
                        <Button
                          size="small"
                          loading={busy === item.id}
                          aria-label={t("central.retryLabel", { title: item.title })}
                          onClick={() => void retry(item)}
                        >
                          {t("central.retry")}
                        </Button>
                      ) : null,
                  },
                ]
              : []),
          ]}
        />
      )}
    </>
  );
}
