/** The unit's feedback inbox: what it must answer (with overdue reports escalated to it), or all. */
import { Button, Segmented, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router-dom";

import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { useSession } from "../../auth/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { useApi } from "../../components/useApi";
import { formatDateTime } from "../../format";
import { useLocale, useT } from "../../i18n";
import { feedbackMessages } from "./messages";

type FeedbackView = components["schemas"]["FeedbackView"];
type Status = components["schemas"]["FeedbackStatus"];

export const STATUS_COLOUR: Record<Status, string> = {
  received: "#b91c1c",
  acknowledged: "#9a3412",
  answered: "#1d4ed8",
  resolved: "#166534",
  reopened: "#b91c1c",
};

export default function FeedbackInboxPage() {
  const t = useT(feedbackMessages);
  const { locale } = useLocale();
  const { user } = useSession();
  const [view, setView] = useState<"queue" | "all">("queue");
  const inbox = useApi(
    () => ok(api().GET("/feedback", { params: { query: { unit: user?.unit ?? "", view } } })),
    [user?.unit, view],
    30_000,
  );

  return (
    <>
      <PageHeader
        title={t("fb.title")}
        extra={
          <Link to="/feedback-stats">
            <Button>{t("fb.stats")}</Button>
          </Link>
        }
      />
      <div className="page-filters scroll-x">
        <Segmented<"queue" | "all">
          aria-label={t("fb.status")}
          value={view}
          onChange={setView}
          options={[
            { value: "queue", label: t("fb.queue") },
            { value: "all", label: t("fb.all") },
          ]}
        />
      </div>
      {inbox.error ? (
        <ErrorAlert error={inbox.error} onRetry={inbox.reload} />
      ) : (
        <Table<FeedbackView>
          size="small"
          rowKey={(item) => item.report.id}
          loading={inbox.loading}
          dataSource={inbox.data?.items}
          pagination={{ pageSize: 25, hideOnSinglePage: true }}
          scroll={{ x: 900 }}
          locale={{ emptyText: <Typography.Text>{t("fb.empty")}</Typography.Text> }}
          columns={[
            {
              title: t("fb.code"),
              width: 150,
              render: (_: unknown, item) => <Link to={`/feedback/${item.report.id}`}>{item.report.id}</Link>,
            },
            {
              title: t("fb.description"),
              render: (_: unknown, item) => (
                <Space direction="vertical" size={0}>
                  <Typography.Text ellipsis style={{ maxWidth: 360 }}>
                    {item.report.description}
                  </Typography.Text>
                  <Typography.Text type="secondary" className="small-text">
                    {t(`fb.kind.${item.report.kind}`)} · {item.report.category}
                  </Typography.Text>
                </Space>
              ),
            },
            {
              title: t("fb.status"),
              width: 160,
              render: (_: unknown, item) => (
                <Space size={4} wrap>
                  <Tag color={STATUS_COLOUR[item.report.status]}>{t(`fb.status.${item.report.status}`)}</Tag>
                  {item.overdue && <Tag color="#7f1d1d">{t("fb.overdue")}</Tag>}
                  {item.escalated_to && <Tag>{t("fb.escalated", { unit: item.escalated_to })}</Tag>}
                </Space>
              ),
            },
            { title: t("fb.received"), width: 150, render: (_: unknown, item) => formatDateTime(item.report.received_at, locale) },
            { title: t("fb.due"), width: 150, render: (_: unknown, item) => formatDateTime(item.report.answer_due, locale) },
          ]}
        />
      )}
    </>
  );
}
