/** Training records (the user's own, or a unit's). */
import { Table, Typography } from "antd";

import type { components } from "../../api/schema";
import { formatDate, formatNumber } from "../../format";
import { useLocale, useT } from "../../i18n";
import { trainingMessages } from "./messages";

type TrainingRecord = components["schemas"]["TrainingRecord"];

export function RecordsTable({ records, loading }: { records?: TrainingRecord[]; loading: boolean }) {
  const t = useT(trainingMessages);
  const { locale } = useLocale();
  return (
    <Table<TrainingRecord>
      size="small"
      rowKey="id"
      loading={loading}
      dataSource={records}
      pagination={{ pageSize: 25, hideOnSinglePage: true }}
      scroll={{ x: 720 }}
      locale={{ emptyText: <Typography.Text>{t("tr.noRecords")}</Typography.Text> }}
      columns={[
        { title: t("tr.course"), dataIndex: "course_title" },
        { title: t("tr.provider"), dataIndex: "provider" },
        { title: t("tr.hours"), width: 80, render: (_: unknown, r) => formatNumber(r.hours, locale) },
        { title: t("tr.completedOn"), width: 130, render: (_: unknown, r) => formatDate(r.completed_on, locale) },
        { title: t("tr.result"), dataIndex: "result" },
        { title: t("tr.source"), width: 140, render: (_: unknown, r) => t(`tr.source.${r.source}`) },
      ]}
    />
  );
}
