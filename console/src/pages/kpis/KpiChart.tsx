/** Value against target per indicator, as bars (recharts stays in the KPI page's chunk). The
 * board's table above says the same in text, so the chart is hidden from screen readers. */
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

import type { components } from "../../api/schema";
import { useT } from "../../i18n";
import { kpiMessages } from "./messages";
import { percent } from "./progress";

type Indicator = components["schemas"]["Indicator"];

export default function KpiChart({ indicators }: { indicators: Indicator[] }) {
  const t = useT(kpiMessages);
  const rows = indicators
    .filter((i) => i.value !== null)
    .map((i) => ({ name: i.id, title: i.title, value: percent(i.value), target: percent(i.target) }));
  return (
    <div aria-hidden="true" className="kpi-chart" style={{ width: "100%", height: 40 + rows.length * 44, overflow: "hidden" }}>
      <ResponsiveContainer>
        <BarChart accessibilityLayer={false} layout="vertical" data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" domain={[0, 100]} fontSize={12} />
          <YAxis type="category" dataKey="name" width={190} fontSize={11} />
          <Tooltip labelFormatter={(_, payload) => payload?.[0]?.payload?.title ?? ""} />
          <Legend verticalAlign="top" />
          {/* No animation: the figures are there at once (and in a screenshot). */}
          <Bar dataKey="target" name={t("kpi.target")} fill="#8c8c8c" isAnimationActive={false} />
          <Bar dataKey="value" name={t("kpi.value")} fill="#b71c1c" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
