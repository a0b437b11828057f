/**
 * Plays today against the plan per area, as bars, from the overview's own counters (no call of
 * its own; recharts stays in this lazy chunk). The same figures follow as a table, for screen
 * readers and small screens.
 */
import { Empty, Table } from "antd";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import type { components } from "../../api/schema";
import { formatNumber } from "../../format";
import { useLocale, useT } from "../../i18n";
import { overviewMessages } from "./messages";
import { anyPlays, playsRows } from "./plays";

type UnitPlays = components["schemas"]["UnitPlays"];

export default function PlaysChart({ byUnit }: { byUnit: UnitPlays[] }) {
  const t = useT(overviewMessages);
  const { locale } = useLocale();
  const rows = playsRows(byUnit);
  if (!anyPlays(rows)) {
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={<span className="stat-title">{t("overview.noPlays")}</span>} />;
  }
  const planned = t("overview.planned");
  const played = t("overview.played");
  return (
    <>
      <div aria-hidden="true" className="plays-chart" data-testid="overview-plays-chart">
        <ResponsiveContainer>
          <BarChart accessibilityLayer={false} data={rows} margin={{ top: 8, right: 8, bottom: 48, left: 24 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="name" angle={-30} textAnchor="end" interval={0} fontSize={12} />
            <YAxis fontSize={12} allowDecimals={false} />
            <Tooltip formatter={(value) => formatNumber(Number(value), locale)} />
            <Legend verticalAlign="top" />
            <Bar dataKey="planned" name={planned} fill="#8c8c8c" isAnimationActive={false} />
            <Bar dataKey="played" name={played} fill="#b71c1c" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <Table
        size="small"
        rowKey="code"
        pagination={false}
        dataSource={rows}
        scroll={{ x: true }}
        className="plays-table"
        columns={[
          { title: t("overview.area"), dataIndex: "name" },
          { title: planned, dataIndex: "planned", align: "right", render: (n: number) => formatNumber(n, locale) },
          { title: played, dataIndex: "played", align: "right", render: (n: number) => formatNumber(n, locale) },
          {
            title: t("overview.share"),
            dataIndex: "percent",
            align: "right",
            render: (n: number | null) => (n === null ? "–" : `${formatNumber(n, locale)}\u00a0%`),
          },
        ]}
      />
    </>
  );
}
