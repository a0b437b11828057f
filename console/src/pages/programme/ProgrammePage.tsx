/**
 * A commune's day as the devices will play it: the timeline, every play with the tier that set
 * its time, what could not be placed and why; the commune's own order and its settings.
 */
import { Alert, DatePicker, Empty, Space, Spin, Table, Tag, Typography } from "antd";
import dayjs from "dayjs";
import { Link, useNavigate, useParams } from "react-router-dom";

import { api, ApiError, ok } from "../../api/client";
import { allows } from "../../auth/permissions";
import { useSession } from "../../auth/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { OutOfScope } from "../../components/OutOfScope";
import { PageHeader } from "../../components/PageHeader";
import { UnitPicker } from "../../components/UnitPicker";
import { useApi } from "../../components/useApi";
import { todayInVietnam } from "../../format";
import { useT } from "../../i18n";
import { loadUnit } from "../../units";
import { programmeMessages } from "./messages";
import { ProgrammeOrder } from "./ProgrammeOrder";
import { Timeline } from "./Timeline";
import type { ProgrammeItem } from "./timeline";
import { clock } from "./timeline";
import { UnitSettings } from "./UnitSettings";

const PRIORITY_COLOUR = { normal: "blue", priority: "orange", emergency: "red" } as const;

export default function ProgrammePage() {
  const t = useT(programmeMessages);
  const { user } = useSession();
  const navigate = useNavigate();
  const params = useParams();
  const search = new URLSearchParams(window.location.search);
  const date = search.get("date") ?? todayInVietnam();
  const home = useApi(() => loadUnit(user?.unit ?? ""), [user?.unit]);
  const unit = params.unit ?? (home.data?.level === "commune" ? home.data.code : undefined);

  const programme = useApi(
    () =>
      unit
        ? ok(api().GET("/units/{code}/programme", { params: { path: { code: unit }, query: { date } } }))
        : Promise.resolve(undefined),
    [unit, date],
    30_000,
  );
  const unitView = useApi(() => (unit ? loadUnit(unit) : Promise.resolve(undefined)), [unit]);

  const go = (code: string | undefined, day: string) =>
    navigate(`/programme${code ? `/${code}` : ""}?date=${day}`);

  if (programme.error instanceof ApiError && programme.error.status === 403 && unit) {
    return <OutOfScope unit={unit} />;
  }
  const data = programme.data;
  const operator = allows(user, "programme:order");

  return (
    <>
      <PageHeader title={unitView.data ? `${t("programme.title")} — ${unitView.data.name}` : t("programme.title")} />
      <Space wrap className="page-filters">
        <UnitPicker label={t("programme.unit")} value={unit} onChange={(code) => go(code, date)} communesOnly />
        <DatePicker
          aria-label={t("programme.date")}
          allowClear={false}
          format="DD/MM/YYYY"
          value={dayjs(date)}
          onChange={(value) => value && go(unit, value.format("YYYY-MM-DD"))}
        />
      </Space>
      {!unit && <Alert type="info" showIcon title={t("programme.chooseCommune")} />}
      {programme.error ? <ErrorAlert error={programme.error} onRetry={programme.reload} /> : null}
      {unit && programme.loading && !data && <Spin description={t("loading")} />}
      {data && (
        <>
          <Timeline items={data.items} windows={data.windows} />
          {data.not_placed.length > 0 && (
            <Alert
              type="warning"
              showIcon
              className="page-card"
              title={t("programme.notPlaced")}
              description={
                <ul className="plain-list">
                  {data.not_placed.map((missing) => (
                    <li key={`${missing.bulletin_id}-${missing.reason}`}>
                      <Link to={`/bulletins/${missing.bulletin_id}`}>{missing.title}</Link>: {missing.message ?? missing.reason}
                    </li>
                  ))}
                </ul>
              }
            />
          )}
          <h2 className="section-title">{t("programme.items")}</h2>
          <Table<ProgrammeItem>
            size="small"
            rowKey={(item) => `${item.bulletin_id}-${item.play}-${item.start}`}
            dataSource={data.items}
            pagination={false}
            scroll={{ x: true }}
            locale={{ emptyText: <Empty description={t("programme.empty")} /> }}
            columns={[
              {
                title: t("programme.time"),
                render: (_: unknown, item) => (
                  <Space direction="vertical" size={0}>
                    <Typography.Text strong>{clock(item.start)}</Typography.Text>
                    <Typography.Text type="secondary" className="small-text">
                      {t("programme.duration", { seconds: item.duration_s })}
                    </Typography.Text>
                  </Space>
                ),
                width: 100,
              },
              {
                title: t("programme.bulletin"),
                render: (_: unknown, item) => (
                  <Space direction="vertical" size={0}>
                    <Link to={`/bulletins/${item.bulletin_id}`}>{item.title}</Link>
                    <Typography.Text type="secondary" className="small-text">
                      {t(`programme.placement.${item.placement}`)} · {t("programme.play", { n: item.play })}
                      {item.delayed_s > 0 && ` · ${t("programme.delayed", { minutes: Math.round(item.delayed_s / 60) })}`}
                      {item.interrupted && ` · ${t("programme.interrupted")}`}
                    </Typography.Text>
                  </Space>
                ),
              },
              {
                title: t("programme.layer"),
                render: (_: unknown, item) => (
                  <Space size={4} wrap>
                    <Tag color={PRIORITY_COLOUR[item.priority]}>{t(`programme.priority.${item.priority}`)}</Tag>
                    <Tag>{t(`programme.layer.${item.layer}`)}</Tag>
                  </Space>
                ),
              },
            ]}
          />
          {operator && unit && (
            <ProgrammeOrder
              unit={unit}
              date={date}
              items={data.items}
              version={data.order_version ?? 0}
              onSaved={programme.reload}
            />
          )}
          {unit && <UnitSettings unit={unit} editable={operator} />}
        </>
      )}
    </>
  );
}
