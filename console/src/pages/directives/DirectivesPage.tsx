/** Directives of the user's unit: received, issued (by it or below it), and addressed below (with overdue ones escalated to it). */
import { Button, Segmented, Space, Switch, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router-dom";

import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { allows } from "../../auth/permissions";
import { useSession } from "../../auth/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { useApi } from "../../components/useApi";
import { formatDate, formatDateTime } from "../../format";
import { useLocale, useT } from "../../i18n";
import { directiveMessages } from "./messages";

type Summary = components["schemas"]["DirectiveSummary"];
type Box = components["schemas"]["Box"];

export default function DirectivesPage() {
  const t = useT(directiveMessages);
  const { locale } = useLocale();
  const { user } = useSession();
  const [box, setBox] = useState<Box>("received");
  const [overdue, setOverdue] = useState(false);
  // A commune has no unit below it: nothing to issue, nothing below to follow.
  const commune = (user?.unit.length ?? 0) >= 5;
  const list = useApi(
    () =>
      ok(
        api().GET("/directives", {
          params: { query: { unit: user?.unit ?? "", box, ...(overdue ? { overdue: true } : {}) } },
        }),
      ),
    [user?.unit, box, overdue],
    30_000,
  );

  return (
    <>
      <PageHeader
        title={t("dir.title")}
        extra={
          allows(user, "directives:issue") &&
          !commune && (
            <Link to="/directives/new">
              <Button type="primary">{t("dir.new")}</Button>
            </Link>
          )
        }
      />
      <Space wrap className="page-filters">
        {!commune && (
          <Segmented<Box>
            aria-label={t("dir.box")}
            value={box}
            onChange={setBox}
            options={[
              { value: "received", label: t("dir.received") },
              { value: "issued", label: t("dir.issued") },
              { value: "below", label: t("dir.below") },
            ]}
          />
        )}
        <Space size="small">
          <Switch id="overdue-only" checked={overdue} onChange={setOverdue} aria-label={t("dir.overdueOnly")} />
          <label htmlFor="overdue-only">{t("dir.overdueOnly")}</label>
        </Space>
      </Space>
      {list.error ? (
        <ErrorAlert error={list.error} onRetry={list.reload} />
      ) : (
        <Table<Summary>
          size="small"
          rowKey="id"
          loading={list.loading}
          dataSource={list.data?.items}
          pagination={{ pageSize: 25, hideOnSinglePage: true }}
          scroll={{ x: 820 }}
          locale={{ emptyText: <Typography.Text>{t("dir.empty")}</Typography.Text> }}
          columns={[
            {
              title: t("dir.name"),
              render: (_: unknown, item) => (
                <Space direction="vertical" size={0}>
                  <Link to={`/directives/${item.id}`}>{item.title}</Link>
                  <Typography.Text className="small-text">
                    {item.issuer_name} · {formatDateTime(item.created_at, locale)}
                  </Typography.Text>
                </Space>
              ),
            },
            { title: t("dir.due"), width: 120, render: (_: unknown, item) => formatDate(item.due, locale) },
            {
              title: t("dir.status"),
              width: 260,
              render: (_: unknown, item) => <Progress item={item} />,
            },
          ]}
        />
      )}
    </>
  );
}

function Progress({ item }: { item: Summary }) {
  const t = useT(directiveMessages);
  const mine = item.targets ?? [];
  return (
    <Space size={4} wrap>
      <Tag color={item.status === "open" ? "#1d4ed8" : "#374151"}>{t(`dir.status.${item.status}`)}</Tag>
      <Tag>{t("dir.progress", { done: item.acknowledged, total: item.targets_total })}</Tag>
      {mine.length === 0 && item.overdue > 0 && <Tag color="#7f1d1d">{t("dir.overdueCount", { count: item.overdue })}</Tag>}
      {mine.map((target) =>
        target.overdue ? (
          <Tag key={target.unit} color="#7f1d1d">
            {t("dir.overdue")}: {target.name}
          </Tag>
        ) : target.acknowledged_at ? (
          <Tag key={target.unit} color="#166534">
            {t("dir.acknowledged")}: {target.name}
          </Tag>
        ) : null,
      )}
    </Space>
  );
}
