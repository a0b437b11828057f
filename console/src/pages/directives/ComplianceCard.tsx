/** Broadcast compliance of one linked bulletin: plays per day against what is owed (chart), and per commune (table). */
import { Card, Table, Typography } from "antd";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, XAxis, YAxis } from "recharts";

import type { components } from "../../api/schema";
import { formatDate, formatNumber } from "../../format";
import { useLocale, useT } from "../../i18n";
import { playsByDay } from "./compliance";
import { directiveMessages } from "./messages";

type BulletinCompliance = components["schemas"]["BulletinCompliance"];
type CommuneCompliance = components["schemas"]["CommuneCompliance"];

export default function ComplianceCard({ measured }: { measured: BulletinCompliance }) {
  const t = useT(directiveMessages);
  const { locale } = useLocale();
  const rows = playsByDay(measured);
  const communes = measured.targets.flatMap((target) => target.by_commune.map((commune) => ({ ...commune, target: target.name })));
  const met = measured.targets.reduce((sum, target) => sum + target.communes_met, 0);
  return (
    <Card size="small" className="compliance-card">
      <h2 className="section-title">{t("dir.compliance", { title: measured.title })}</h2>
      <Typography.Paragraph>
        {t("dir.complianceNote", {
          perDay: measured.plays_per_day,
          from: formatDate(measured.from, locale),
          to: formatDate(measured.to, locale),
          days: measured.days,
        })}{" "}
        {t("dir.communesMet", { met, total: communes.length })}
      </Typography.Paragraph>
      {rows.length > 0 && (
        <div aria-hidden="true" className="plays-chart">
          <ResponsiveContainer>
            <BarChart accessibilityLayer={false} data={rows} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" fontSize={12} tickFormatter={(day: string) => day.slice(5)} />
              <YAxis fontSize={12} allowDecimals={false} />
              <Legend verticalAlign="top" />
              <Bar dataKey="owed" name={t("dir.expected")} fill="#8c8c8c" />
              <Bar dataKey="played" name={t("dir.plays")} fill="#b71c1c" />
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
      <Table<CommuneCompliance & { target: string }>
        size="small"
        rowKey="code"
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        dataSource={communes}
        scroll={{ x: true }}
        columns={[
          { title: t("dir.commune"), render: (_: unknown, row) => row.name },
          { title: t("dir.plays"), align: "right", render: (_: unknown, row) => formatNumber(row.plays, locale) },
          { title: t("dir.expected"), align: "right", render: () => formatNumber(measured.plays_per_day * measured.days, locale) },
          { title: t("dir.daysMet"), align: "right", render: (_: unknown, row) => `${row.days_met}/${measured.days}` },
        ]}
      />
    </Card>
  );
}
