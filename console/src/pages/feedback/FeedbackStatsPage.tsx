/** Feedback handled in time, per unit and period, overall and by category. */
import { DatePicker, Space, Statistic, Table, Card, Row, Col } from "antd";
import dayjs from "dayjs";
import { useState } from "react";

import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { useSession } from "../../auth/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { useApi } from "../../components/useApi";
import { todayInVietnam } from "../../format";
import { useT } from "../../i18n";
import { feedbackMessages } from "./messages";

type CategoryStats = components["schemas"]["CategoryStats"];

export default function FeedbackStatsPage() {
  const t = useT(feedbackMessages);
  const { user } = useSession();
  const today = todayInVietnam();
  const [from, setFrom] = useState(`${today.slice(0, 4)}-01-01`);
  const [to, setTo] = useState(today);
  const stats = useApi(
    () => ok(api().GET("/feedback/stats", { params: { query: { unit: user?.unit ?? "", from, to } } })),
    [user?.unit, from, to],
  );
  const data = stats.data;

  return (
    <>
      <PageHeader title={t("fb.statsTitle")} />
      <Space wrap className="page-filters">
        <DatePicker aria-label={t("fb.from")} allowClear={false} format="DD/MM/YYYY" value={dayjs(from)} onChange={(v) => v && setFrom(v.format("YYYY-MM-DD"))} />
        <DatePicker aria-label={t("fb.to")} allowClear={false} format="DD/MM/YYYY" value={dayjs(to)} onChange={(v) => v && setTo(v.format("YYYY-MM-DD"))} />
      </Space>
      {stats.error && <ErrorAlert error={stats.error} onRetry={stats.reload} />}
      {data && (
        <>
          <Row gutter={[12, 12]} className="page-card">
            {(
              [
                ["fb.receivedCount", data.received],
                ["fb.ackInTime", data.acknowledged_in_time],
                ["fb.answeredInTime", data.answered_in_time],
                ["fb.overdueCount", data.overdue],
              ] as const
            ).map(([key, value]) => (
              <Col xs={12} md={6} key={key}>
                <Card size="small">
                  <Statistic title={t(key)} value={value} />
                </Card>
              </Col>
            ))}
          </Row>
          <h2 className="section-title">{t("fb.byCategory")}</h2>
          <Table<CategoryStats>
            size="small"
            rowKey="category"
            dataSource={data.by_category}
            pagination={false}
            scroll={{ x: true }}
            columns={[
              { title: t("fb.category"), dataIndex: "category" },
              { title: t("fb.receivedCount"), dataIndex: "received" },
              { title: t("fb.ackInTime"), dataIndex: "acknowledged_in_time" },
              { title: t("fb.answeredInTime"), dataIndex: "answered_in_time" },
              { title: t("fb.overdueCount"), dataIndex: "overdue" },
            ]}
          />
        </>
      )}
    </>
  );
}
