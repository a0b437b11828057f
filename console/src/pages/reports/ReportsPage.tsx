/**
 * A period's reports in the user's area (or a unit below, via UnitPicker): the unit's own and
 * those of the units below; a draft for the period (editors); an ad-hoc request to a unit
 * below with a due date (approvers). Each report opens on its own page.
 */
import { Button, Card, DatePicker, Form, Input, Select, Space, Table, Tag } from "antd";
import dayjs from "dayjs";
import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";

import { ApiError, api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { allows } from "../../auth/permissions";
import { useSession } from "../../auth/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { OutOfScope } from "../../components/OutOfScope";
import { PageHeader } from "../../components/PageHeader";
import { UnitPicker } from "../../components/UnitPicker";
import { useApi } from "../../components/useApi";
import { formatDate, formatDateTime, todayInVietnam } from "../../format";
import { useLocale, useT } from "../../i18n";
import { reportMessages } from "./messages";
import { createBody, lastMonth, periodKey } from "./period";
import type { PeriodKind } from "./period";
import { LATE, StatusTag } from "./StatusTag";

type ReportSummary = components["schemas"]["ReportSummary"];

const KINDS = ["monthly", "quarterly", "annual", "adhoc"] as const;
const PICKER = { monthly: "month", quarterly: "quarter", annual: "year" } as const;
const FORMAT = { monthly: "MM/YYYY", quarterly: "YYYY-[Q]Q", annual: "YYYY" } as const;

export default function ReportsPage() {
  const t = useT(reportMessages);
  const { locale } = useLocale();
  const { user } = useSession();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const unit = params.get("unit") ?? user?.unit ?? "";
  const kind = (params.get("kind") as PeriodKind | null) ?? "monthly";
  const day = params.get("day") ?? lastMonth(todayInVietnam());
  const key = periodKey(kind, day);
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const list = useApi(() => ok(api().GET("/reports", { params: { query: { unit, period: key } } })), [unit, key]);

  function choose(next: { unit?: string; kind?: PeriodKind; day?: string }) {
    setParams({ unit: next.unit ?? unit, kind: next.kind ?? kind, day: next.day ?? day });
  }

  async function create(body: object) {
    setBusy(true);
    setFailure(undefined);
    try {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const made = await ok(api().POST("/reports", { body: body as any }));
      navigate(`/reports/${made.id}`);
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  if (list.error instanceof ApiError && list.error.status === 403) return <OutOfScope unit={unit} />;
  const mayWrite = allows(user, "reports:write");
  const mayReview = allows(user, "reports:review");
  return (
    <>
      <PageHeader title={t("rp.title")} />
      <Form layout="inline" className="page-filters">
        <Form.Item label={t("rp.unit")} htmlFor="rp-unit" style={{ minWidth: 260 }}>
          <UnitPicker id="rp-unit" value={unit} onChange={(code?: string) => code && choose({ unit: code })} />
        </Form.Item>
        <Form.Item label={t("rp.kind")} htmlFor="rp-kind">
          <Select
            id="rp-kind"
            value={kind}
            style={{ width: 120 }}
            onChange={(next: PeriodKind) => choose({ kind: next })}
            options={KINDS.map((k) => ({ value: k, label: t(`rp.kind.${k}`) }))}
          />
        </Form.Item>
        {/* Ad-hoc: every request to the area, whatever its range; each is made from above. */}
        {kind !== "adhoc" && (
          <Form.Item label={t("rp.period")} htmlFor="rp-period">
            <DatePicker
              id="rp-period"
              picker={PICKER[kind]}
              format={FORMAT[kind]}
              allowClear={false}
              value={dayjs(day)}
              onChange={(value) => value && choose({ day: value.format("YYYY-MM-DD") })}
            />
          </Form.Item>
        )}
        {mayWrite && kind !== "adhoc" && (
          <Form.Item>
            <Button type="primary" loading={busy} onClick={() => void create(createBody(unit, kind, key))}>
              {t("rp.create")}
            </Button>
          </Form.Item>
        )}
      </Form>
      {failure ? <ErrorAlert error={failure} /> : null}
      <h2 className="section-title">{t("rp.list")}</h2>
      {list.error ? <ErrorAlert error={list.error} onRetry={list.reload} /> : null}
      <Table<ReportSummary>
        size="small"
        rowKey="id"
        loading={list.loading}
        dataSource={list.data ?? []}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: t("rp.empty") }}
        columns={[
          { title: t("rp.unit"), dataIndex: "unit_name" },
          {
            title: t("rp.report"),
            dataIndex: "title",
            render: (title: string, row) => <Link to={`/reports/${row.id}`}>{title}</Link>,
          },
          {
            title: t("rp.status"),
            dataIndex: "status",
            render: (status: string, row) => (
              <Space size={4} wrap>
                <StatusTag status={status} />
                {row.late && <Tag color={LATE}>{t("rp.late")}</Tag>}
              </Space>
            ),
          },
          { title: t("rp.due"), dataIndex: "due", render: (due: string) => formatDate(due, locale) },
          {
            title: t("rp.submittedAt"),
            dataIndex: "submitted_at",
            render: (at: string | null) => (at ? formatDateTime(at, locale) : "—"),
          },
        ]}
      />
      {mayReview && <AdhocRequest busy={busy} onRequest={(body) => void create(body)} />}
    </>
  );
}

function AdhocRequest({ busy, onRequest }: { busy: boolean; onRequest: (body: object) => void }) {
  const t = useT(reportMessages);
  const today = todayInVietnam();
  return (
    <Card size="small" title={<h2 className="section-title">{t("rp.adhoc")}</h2>} className="page-card">
      <Form
        layout="vertical"
        initialValues={{ range: [dayjs(today).startOf("month"), dayjs(today)], due: dayjs(today).add(7, "day") }}
        onFinish={(values: { unit: string; range: [dayjs.Dayjs, dayjs.Dayjs]; due: dayjs.Dayjs; title?: string }) =>
          onRequest({
            unit: values.unit,
            period: "adhoc",
            from: values.range[0].format("YYYY-MM-DD"),
            to: values.range[1].format("YYYY-MM-DD"),
            due: values.due.format("YYYY-MM-DD"),
            ...(values.title ? { title: values.title } : {}),
          })
        }
      >
        <Form.Item name="unit" label={t("rp.adhocUnit")} rules={[{ required: true }]}>
          <UnitPicker />
        </Form.Item>
        <Form.Item name="range" label={`${t("rp.from")} – ${t("rp.to")}`} rules={[{ required: true }]}>
          <DatePicker.RangePicker format="DD/MM/YYYY" allowClear={false} aria-label={`${t("rp.from")} – ${t("rp.to")}`} />
        </Form.Item>
        <Form.Item name="due" label={t("rp.due")} rules={[{ required: true }]}>
          <DatePicker format="DD/MM/YYYY" allowClear={false} />
        </Form.Item>
        <Form.Item name="title" label={t("rp.adhocTitle")}>
          <Input maxLength={200} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t("rp.request")}
        </Button>
      </Form>
    </Card>
  );
}
