/** Minutes played today against the plan per area, as bars (recharts stays in this chunk). */
import { Empty, Spin, Table } from "antd";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";

type StationReport = components["schemas"]["StationReport"];
import { ErrorAlert } from "../../components/ErrorAlert";
import { useApi } from "../../components/useApi";
import { formatNumber, todayInVietnam } from "../../format";
import { useLocale, useT } from "../../i18n";
import { overviewMessages } from "./messages";
import { playsByArea } from "./plays";

export default function PlaysChart({ unit, areas }: { unit: string; areas: { code: string; name: string }[] }) {
  const t = useT(overviewMessages);
  const { locale } = useLocale();
  const today = todayInVietnam();
  const report = useApi<StationReport>(
    () => ok(api().GET("/units/{code}/stations", { params: { path: { code: unit }, query: { from: today, to: today } } })),
    [unit, today],
    60_000,
  );
  if (report.error) return <ErrorAlert error={report.error} onRetry={report.reload} />;
  if (!report.data) return <Spin description={t("loading")} />;
  const rows = playsByArea(report.data.stations, areas);
  if (!rows.some((row) => row.plannedMin || row.playedMin)) {
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={<span className="stat-title">{t("overview.noPlays")}</span>} />;
  }
  const planned = t("overview.planned");
  const played = t("overview.played");
  return (
    <>
      <div aria-hidden="true" className="plays-chart">
        <ResponsiveContainer>
          <BarChart accessibilityLayer={false} data={rows} margin={{ top: 8, right: 8, bottom: 48, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="name" angle={-30} textAnchor="end" interval={0} fontSize={12} />
            <YAxis fontSize={12} />
            <Tooltip formatter={(value) => formatNumber(Number(value), locale)} />
            <Legend verticalAlign="top" />
            <Bar dataKey="plannedMin" name={planned} fill="#8c8c8c" />
            <Bar dataKey="playedMin" name={played} fill="#b71c1c" />
          </BarChart>
        </ResponsiveContainer>
      </div>
      {/* The same figures as text, for screen readers and small screens. */}
      <Table
        size="small"
        rowKey="code"
        pagination={false}
        dataSource={rows}
        scroll={{ x: true }}
        className="plays-table"
        columns={[
          { title: t("overview.area"), dataIndex: "name" },
          { title: planned, dataIndex: "plannedMin", align: "right", render: (n: number) => formatNumber(n, locale) },
          { title: played, dataIndex: "playedMin", align: "right", render: (n: number) => formatNumber(n, locale) },
        ]}
      />
    </>
  );
}
