/** Per-station statistics over a range of days: what each station's programme asked, what it played. */
import { DatePicker, Flex, Form, Table } from "antd";
import dayjs from "dayjs";
import { useState } from "react";
import { Link } from "react-router-dom";

import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { ErrorAlert } from "../../components/ErrorAlert";
import { useApi } from "../../components/useApi";
import { formatNumber, todayInVietnam } from "../../format";
import { useLocale, useT } from "../../i18n";
import { deviceMessages } from "./messages";

type Station = components["schemas"]["StationStats"];

export function StationsTable({ unit }: { unit: string }) {
  const t = useT(deviceMessages);
  const { locale } = useLocale();
  const [from, setFrom] = useState(todayInVietnam());
  const [to, setTo] = useState(todayInVietnam());
  const report = useApi<components["schemas"]["StationReport"]>(
    () => ok(api().GET("/units/{code}/stations", { params: { path: { code: unit }, query: { from, to } } })),
    [unit, from, to],
  );
  const minutes = (seconds: number) => formatNumber(Math.round(seconds / 6) / 10, locale);
  return (
    <>
      <Form layout="vertical">
        <Flex gap="middle" wrap>
          <Form.Item label={t("stations.from")} htmlFor="stations-from">
            <DatePicker
              id="stations-from"
              format="DD/MM/YYYY"
              value={dayjs(from)}
              allowClear={false}
              onChange={(day) => day && setFrom(day.format("YYYY-MM-DD"))}
            />
          </Form.Item>
          <Form.Item label={t("stations.to")} htmlFor="stations-to">
            <DatePicker
              id="stations-to"
              format="DD/MM/YYYY"
              value={dayjs(to)}
              allowClear={false}
              minDate={dayjs(from)}
              onChange={(day) => day && setTo(day.format("YYYY-MM-DD"))}
            />
          </Form.Item>
        </Flex>
      </Form>
      {report.error ? (
        <ErrorAlert error={report.error} onRetry={report.reload} />
      ) : (
        <Table<Station>
          size="small"
          rowKey="station"
          loading={report.loading}
          dataSource={report.data?.stations}
          pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
          scroll={{ x: true }}
          columns={[
            {
              title: t("stations.station"),
              dataIndex: "name",
              render: (name: string, station) => <Link to={`/devices/${station.station}`}>{name}</Link>,
            },
            { title: t("stations.commune"), dataIndex: "commune_name", responsive: ["md"] },
            { title: t("stations.bulletins"), dataIndex: "bulletins_total", align: "right" },
            { title: t("stations.played"), dataIndex: "played_ok", align: "right" },
            { title: t("stations.emergency"), dataIndex: "emergency", align: "right", responsive: ["md"] },
            { title: t("stations.requested"), dataIndex: "requested_time_s", align: "right", responsive: ["lg"], render: minutes },
            { title: t("stations.playTime"), dataIndex: "play_time_s", align: "right", responsive: ["lg"], render: minutes },
            {
              title: t("stations.ratio"),
              dataIndex: "ratio",
              align: "right",
              render: (ratio: number | null) =>
                ratio === null ? "—" : new Intl.NumberFormat(locale === "vi" ? "vi-VN" : "en-GB", { style: "percent" }).format(ratio),
            },
          ]}
        />
      )}
    </>
  );
}
