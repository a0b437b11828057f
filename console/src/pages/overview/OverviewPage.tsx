/**
 * The day at a glance for the user's unit: devices online by district (map and table), open
 * alarms, today's emergencies, what waits for the user's approval, plays today against the plan.
 * A district user sees their communes; a commune user their own unit. Polled every 10 s.
 */
import { Card, Col, Empty, List, Row, Space, Spin, Statistic, Table, Tag, Typography } from "antd";
import { lazy, Suspense } from "react";
import { Link } from "react-router-dom";

import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { allows } from "../../auth/permissions";
import { useSession } from "../../auth/session";
import { DistrictMap, healthColour } from "../../components/DistrictMap";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { useApi } from "../../components/useApi";
import { formatDateTime, formatNumber, formatTime } from "../../format";
import { useLocale, useT } from "../../i18n";
import { overviewMessages } from "./messages";

const PlaysChart = lazy(() => import("./PlaysChart"));

type Overview = components["schemas"]["UnitOverview"];
type Bulletin = components["schemas"]["BulletinBrief"];
type Alarm = components["schemas"]["AlarmBrief"];

export interface AreaRow {
  code: string;
  name: string;
  online: number;
  total: number;
}

// Longer than the answer takes under load: useApi drops an answer that a newer poll overtakes.
const POLL_MS = 15_000;

export default function OverviewPage() {
  const t = useT(overviewMessages);
  const { locale } = useLocale();
  const { user } = useSession();
  const home = user?.unit ?? "";
  const mayApprove = allows(user, "bulletins:approve");

  // One call for the whole page, the chart included (GET /units/{code}/overview: queries and
  // stored counters only; the unit's name and level come with it).
  const overview = useApi<Overview>(
    () => ok(api().GET("/units/{code}/overview", { params: { path: { code: home } } })),
    [home],
    POLL_MS,
  );
  const areas = {
    data: overview.data && {
      name: overview.data.name,
      level: overview.data.level,
      rows: overview.data.devices.by_unit,
      summary: overview.data.devices,
    },
    error: overview.error,
    reload: overview.reload,
  };
  const alarms = { data: overview.data && { items: overview.data.alarms.newest }, error: overview.error, reload: overview.reload };
  const emergencies = { data: overview.data?.emergencies_today, error: overview.error, reload: overview.reload };
  const pending = { data: overview.data?.awaiting_approval, error: overview.error, reload: overview.reload };

  const rows = areas.data?.rows ?? [];
  const byDistrict = Object.fromEntries(
    rows.map((row) => [
      row.code,
      { fill: healthColour(row.online, row.total), tooltip: `${row.name}: ${t("overview.devicesOf", { online: row.online, total: row.total })}` },
    ]),
  );
  const showMap = areas.data?.level === "province" || areas.data?.level === "district";

  return (
    <>
      <PageHeader
        title={t("overview.title", { unit: areas.data?.name ?? "" })}
        extra={
          overview.data && (
            <Typography.Text type="secondary">{t("overview.updated", { time: formatTime(overview.data.generated_at, locale) })}</Typography.Text>
          )
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card title={<h2 className="card-title">{t("overview.devices")}</h2>} data-testid="overview-devices">
            {areas.error ? (
              <ErrorAlert error={areas.error} onRetry={areas.reload} />
            ) : !areas.data ? (
              <Spin description={t("loading")} />
            ) : (
              <Space direction="vertical" size="middle" style={{ width: "100%" }}>
                <Statistic
                  title={<span className="stat-title">{t("overview.devices")}</span>}
                  value={areas.data.summary.online}
                  suffix={`/ ${formatNumber(areas.data.summary.total, locale)}`}
                  formatter={(value) => formatNumber(Number(value), locale)}
                />
                {showMap && (
                  <DistrictMap
                    label={t("overview.map")}
                    districts={byDistrict}
                    only={areas.data.level === "district" ? [home] : undefined}
                    height={320}
                  />
                )}
                <Table<AreaRow>
                  size="small"
                  rowKey="code"
                  pagination={false}
                  dataSource={rows}
                  scroll={{ x: true }}
                  columns={[
                    {
                      title: t("overview.area"),
                      dataIndex: "name",
                      render: (name: string, row) => <Link to={`/devices?unit=${row.code}`}>{name}</Link>,
                    },
                    {
                      title: t("overview.online"),
                      key: "online",
                      align: "right",
                      render: (_, row) => (
                        <span>
                          <span className="legend-dot" style={{ background: healthColour(row.online, row.total) }} />{" "}
                          {formatNumber(row.online, locale)}/{formatNumber(row.total, locale)}
                        </span>
                      ),
                    },
                  ]}
                />
              </Space>
            )}
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Space direction="vertical" size="middle" style={{ width: "100%" }}>
            <Card
              title={<h2 className="card-title">{t("overview.alarms")}</h2>}
              extra={<Link to="/devices?alarms=1">{t("overview.seeAll")}</Link>}
              data-testid="overview-alarms"
            >
              {alarms.error ? (
                <ErrorAlert error={alarms.error} onRetry={alarms.reload} />
              ) : !alarms.data ? (
                <Spin />
              ) : (
                <AlarmList alarms={alarms.data.items} />
              )}
            </Card>
            <Card title={<h2 className="card-title">{t("overview.emergencies")}</h2>} data-testid="overview-emergencies">
              {emergencies.error ? (
                <ErrorAlert error={emergencies.error} onRetry={emergencies.reload} />
              ) : (
                <BulletinList items={emergencies.data?.items} empty={t("overview.noEmergencies")} loading={!emergencies.data} />
              )}
            </Card>
            {mayApprove && (
              <Card
                title={<h2 className="card-title">{t("overview.pending")}</h2>}
                extra={<Link to="/approvals">{t("overview.seeAll")}</Link>}
                data-testid="overview-pending"
              >
                {pending.error ? (
                  <ErrorAlert error={pending.error} onRetry={pending.reload} />
                ) : (
                  <BulletinList items={pending.data?.items} empty={t("overview.noPending")} loading={!pending.data} />
                )}
              </Card>
            )}
          </Space>
        </Col>
        <Col xs={24}>
          <Card title={<h2 className="card-title">{t("overview.plays")}</h2>} data-testid="overview-plays">
            {overview.error ? (
              <ErrorAlert error={overview.error} onRetry={overview.reload} />
            ) : !overview.data ? (
              <Spin description={t("loading")} />
            ) : (
              <>
                <Typography.Paragraph data-testid="overview-plays-total">
                  {t("overview.playsTotal", {
                    played: formatNumber(overview.data.plays_today.played, locale),
                    planned: formatNumber(overview.data.plays_today.planned, locale),
                  })}
                </Typography.Paragraph>
                <Suspense fallback={<Spin />}>
                  <PlaysChart byUnit={overview.data.plays_today.by_unit} />
                </Suspense>
              </>
            )}
          </Card>
        </Col>
      </Row>
    </>
  );

  function AlarmList({ alarms: items }: { alarms: Alarm[] }) {
    if (!items.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={<span className="stat-title">{t("overview.noAlarms")}</span>} />;
    return (
      <List
        size="small"
        dataSource={items.slice(0, 10)}
        renderItem={(alarm) => (
          <List.Item>
            <List.Item.Meta
              title={<Link to={`/devices/${alarm.thing}`}>{alarm.name}</Link>}
              description={<span className="stat-title">{t("overview.alarmSince", { time: formatDateTime(alarm.opened_at, locale) })}</span>}
            />
          </List.Item>
        )}
      />
    );
  }

  function BulletinList({ items, empty, loading }: { items?: Bulletin[]; empty: string; loading: boolean }) {
    if (loading) return <Spin />;
    if (!items?.length) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={<span className="stat-title">{empty}</span>} />;
    return (
      <List
        size="small"
        dataSource={items}
        renderItem={(bulletin) => (
          <List.Item extra={<Tag>{t(`status.${bulletin.status}` as const)}</Tag>}>
            <List.Item.Meta
              title={<Link to={`/bulletins/${bulletin.id}`}>{bulletin.title}</Link>}
              description={<span className="stat-title">{`${formatDateTime(bulletin.valid_from, locale)} – ${formatDateTime(bulletin.valid_until, locale)}`}</span>}
            />
          </List.Item>
        )}
      />
    );
  }
}
