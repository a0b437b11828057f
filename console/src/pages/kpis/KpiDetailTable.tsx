/** The list behind one indicator (GET /kpis/{id}): the units or departments counted, each with
 * its own figures, so the total can be checked line by line. */
import { Descriptions, Spin, Table, Tag } from "antd";
import { Link } from "react-router-dom";

import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { ErrorAlert } from "../../components/ErrorAlert";
import { useApi } from "../../components/useApi";
import { useLocale, useT } from "../../i18n";
import { kpiMessages } from "./messages";
import { figure } from "./progress";

type KpiItem = components["schemas"]["KpiItem"];

export default function KpiDetailTable({ indicator, unit, year }: { indicator: string; unit: string; year: number }) {
  const t = useT(kpiMessages);
  const { locale } = useLocale();
  const detail = useApi(
    () => ok(api().GET("/kpis/{indicator}", { params: { path: { indicator }, query: { unit, year } } })),
    [indicator, unit, year],
  );
  if (detail.error) return <ErrorAlert error={detail.error} onRetry={detail.reload} />;
  const data = detail.data;
  if (!data) return <Spin description={t("loading")} />;
  const ratio = data.items.some((item) => item.denominator !== null && item.denominator !== undefined);
  return (
    <>
      <Descriptions size="small" column={1} bordered>
        <Descriptions.Item label={t("kpi.fraction")}>
          {figure(data.numerator, locale)} / {figure(data.denominator, locale)}
        </Descriptions.Item>
        <Descriptions.Item label={t("kpi.source")}>{data.source}</Descriptions.Item>
        <Descriptions.Item label={t("kpi.reading")}>{data.reading}</Descriptions.Item>
      </Descriptions>
      <h3 className="section-title">{t("kpi.items")}</h3>
      <Table<KpiItem>
        size="small"
        rowKey="code"
        dataSource={data.items}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: true }}
        columns={[
          { title: t("kpi.code"), dataIndex: "code" },
          {
            title: t("kpi.name"),
            dataIndex: "name",
            // Units open their page; departments are names only.
            render: (name: string, item) => (/^\d+$/.test(item.code) ? <Link to={`/units/${item.code}`}>{name}</Link> : name),
          },
          { title: t("kpi.numerator"), dataIndex: "numerator", align: "right", render: (n: number | null) => figure(n, locale) },
          ratio
            ? { title: t("kpi.denominator"), dataIndex: "denominator", align: "right", render: (n: number | null) => figure(n, locale) }
            : {
                title: t("kpi.counted"),
                dataIndex: "counted",
                render: (counted: boolean | null) =>
                  counted === null || counted === undefined ? "—" : <Tag color={counted ? "#166534" : "default"}>{t(counted ? "kpi.yes" : "kpi.no")}</Tag>,
              },
        ]}
      />
    </>
  );
}
