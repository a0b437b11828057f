/**
 * The plan's KPIs for a unit and a year: each indicator's target against its value (bars and a
 * chart), its numerator and denominator, and the list behind it in a drawer, so an official
 * can check any number. The unit is the user's own or one below it (UnitPicker).
 */
import { Button, Card, Drawer, Form, Grid, InputNumber, Progress, Space, Spin, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { useSearchParams } from "react-router-dom";

import { ApiError, api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { useSession } from "../../auth/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { OutOfScope } from "../../components/OutOfScope";
import { PageHeader } from "../../components/PageHeader";
import { UnitPicker } from "../../components/UnitPicker";
import { useApi } from "../../components/useApi";
import { formatDate, todayInVietnam } from "../../format";
import { useLocale, useT } from "../../i18n";
import KpiChart from "./KpiChart";
import KpiDetailTable from "./KpiDetailTable";
import { kpiMessages } from "./messages";
import { figure, reading } from "./progress";

type Indicator = components["schemas"]["Indicator"];

// Dark fills with white text: antd's light presets fail the contrast check.
const STATE_COLOR = { met: "#166534", notMet: "#9a3412", noTarget: "default", notMeasured: "default" } as const;

export default function KpisPage() {
  const t = useT(kpiMessages);
  const { locale } = useLocale();
  const { user } = useSession();
  const [params, setParams] = useSearchParams();
  const unit = params.get("unit") ?? user?.unit ?? "";
  const year = Number(params.get("year") ?? todayInVietnam().slice(0, 4));
  const [open, setOpen] = useState<Indicator>();
  const narrow = !(Grid.useBreakpoint().md ?? true);
  const board = useApi(
    () => ok(api().GET("/kpis", { params: { query: { unit, year } } })),
    [unit, year],
  );

  function choose(next: { unit?: string; year?: number }) {
    setParams({ unit: next.unit ?? unit, year: String(next.year ?? year) });
  }

  function achieved(row: Indicator) {
    const r = reading(row);
    return (
      <Space direction="vertical" size={0} style={{ width: "100%" }}>
        <Progress percent={r.bar} showInfo={false} status={r.state === "met" ? "success" : "normal"} aria-label={`${row.title}: ${r.value ?? "—"} %`} />
        <span>
          {r.value === null ? "—" : `${figure(r.value, locale)} %`}
          {r.target !== null && ` / ${row.comparison} ${figure(r.target, locale)} %`} <Tag color={STATE_COLOR[r.state]}>{t(`kpi.${r.state}`)}</Tag>
        </span>
      </Space>
    );
  }

  function openButton(row: Indicator) {
    return (
      <Button size="small" onClick={() => setOpen(row)} aria-label={t("kpi.openNamed", { title: row.title })}>
        {t("kpi.open")}
      </Button>
    );
  }

  if (board.error instanceof ApiError && board.error.status === 403) return <OutOfScope unit={unit} />;
  const data = board.data;
  return (
    <>
      <PageHeader title={t("kpi.title")} />
      <Form layout="inline" className="page-filters">
        <Form.Item label={t("kpi.unit")} htmlFor="kpi-unit" style={{ minWidth: 260 }}>
          <UnitPicker id="kpi-unit" value={unit} onChange={(code?: string) => code && choose({ unit: code })} deepest="commune" />
        </Form.Item>
        <Form.Item label={t("kpi.year")} htmlFor="kpi-year">
          <InputNumber id="kpi-year" min={2000} max={2099} value={year} onChange={(value) => value && choose({ year: value })} />
        </Form.Item>
      </Form>
      {board.error ? <ErrorAlert error={board.error} onRetry={board.reload} /> : null}
      {!data && !board.error && <Spin description={t("loading")} />}
      {data && (
        <>
          <Typography.Paragraph type="secondary">
            {data.unit_name} · {t("kpi.range", { from: formatDate(data.from, locale), to: formatDate(data.to, locale) })}
          </Typography.Paragraph>
          {narrow ? (
            // A card per indicator on small screens: the table's five columns do not fit.
            data.indicators.map((row) => (
              <Card key={row.id} size="small" className="page-card" title={row.title} styles={{ title: { whiteSpace: "normal" } }}>
                {row.note && <Typography.Paragraph type="secondary">{row.note}</Typography.Paragraph>}
                {achieved(row)}
                <Typography.Paragraph>
                  {t("kpi.fraction")}: {figure(row.numerator, locale)} / {figure(row.denominator, locale)}
                </Typography.Paragraph>
                {openButton(row)}
              </Card>
            ))
          ) : (
          <Table<Indicator>
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={data.indicators}
            scroll={{ x: true }}
            columns={[
              {
                title: t("kpi.indicator"),
                dataIndex: "title",
                render: (title: string, row) => (
                  <>
                    <div>{title}</div>
                    {row.note && <Typography.Text type="secondary">{row.note}</Typography.Text>}
                  </>
                ),
              },
              {
                title: t("kpi.value"),
                key: "progress",
                width: 220,
                render: (_, row) => achieved(row),
              },
              {
                title: t("kpi.fraction"),
                key: "fraction",
                render: (_, row) => `${figure(row.numerator, locale)} / ${figure(row.denominator, locale)}`,
              },
              {
                title: "",
                key: "open",
                render: (_, row) => openButton(row),
              },
            ]}
          />
          )}
          <h2 className="section-title">{t("kpi.chart")}</h2>
          <KpiChart indicators={data.indicators} />
        </>
      )}
      <Drawer
        open={!!open}
        onClose={() => setOpen(undefined)}
        title={open?.title}
        size="large"
        width="min(720px, 100vw)"
        closable={{ "aria-label": t("kpi.close") }}
      >
        {open && data && <KpiDetailTable indicator={open.id} unit={data.unit} year={year} />}
        {/* Inside the body, so the scrolling region always holds something to focus. */}
        <Button onClick={() => setOpen(undefined)} className="page-card">
          {t("kpi.close")}
        </Button>
      </Drawer>
    </>
  );
}
