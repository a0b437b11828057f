/**
 * One device: its health and reported (shadow) state, what it plays now, today's proof of play,
 * its alarms, and for operators the commands, each confirmed before it is sent and then shown
 * pending until the device's own report confirms it. Polled every 2 s.
 */
import { Card, Col, Descriptions, Empty, List, Row, Spin, Table, Tag, Typography } from "antd";
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";

import { api, ApiError, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { allows } from "../../auth/permissions";
import { useSession } from "../../auth/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { OutOfScope } from "../../components/OutOfScope";
import { PageHeader } from "../../components/PageHeader";
import { useApi } from "../../components/useApi";
import { formatDateTime, formatNumber, formatTime, todayInVietnam } from "../../format";
import { useLocale, useT } from "../../i18n";
import { loadUnit } from "../../units";
import { CommandPanel } from "./CommandPanel";
import { commandState } from "./commands";
import { STATE_COLOUR, stateOf } from "./devices";
import type { Device } from "./devices";
import { deviceMessages } from "./messages";

type Play = components["schemas"]["PlayRecord"];
type Command = components["schemas"]["CommandRecord"];
type AlarmPage = components["schemas"]["AlarmPage"];

const POLL_MS = 2_000;

export default function DevicePage() {
  const { thing = "" } = useParams();
  const t = useT(deviceMessages);
  const { locale } = useLocale();
  const { user } = useSession();
  const today = todayInVietnam();
  const [sent, setSent] = useState<Command[]>([]);

  // Commands still waiting: their status from the API (done once the device reports it).
  const waiting = sent.filter((command) => command.status === "sent").map((command) => command.command_id);
  useEffect(() => {
    if (!waiting.length) return;
    const timer = window.setInterval(() => {
      for (const id of waiting) {
        ok(api().GET("/devices/{thing}/commands/{command_id}", { params: { path: { thing, command_id: id } } })).then(
          (fresh: Command) => setSent((list) => list.map((command) => (command.command_id === id ? fresh : command))),
          () => undefined,
        );
      }
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [thing, waiting.join(",")]); // eslint-disable-line react-hooks/exhaustive-deps

  const device = useApi<Device>(() => ok(api().GET("/devices/{thing}", { params: { path: { thing } } })), [thing], POLL_MS);
  const unitName = useApi(() => (device.data ? loadUnit(device.data.unit).then((u) => u.name) : Promise.resolve("")), [device.data?.unit]);
  const plays = useApi<Play[]>(
    () => ok(api().GET("/devices/{thing}/plays", { params: { path: { thing }, query: { from: today, to: today } } })),
    [thing, today],
    10_000,
  );
  const alarms = useApi<AlarmPage>(
    () =>
      device.data
        ? ok(api().GET("/alarms", { params: { query: { unit: device.data.unit, limit: 100 } } }))
        : Promise.resolve({ items: [] }),
    [device.data?.unit, device.data?.alarm_open],
  );

  if (device.error instanceof ApiError && device.error.status === 403) return <OutOfScope unit={thing} />;
  if (device.error && !device.data) return <ErrorAlert error={device.error} onRetry={device.reload} />;
  if (!device.data) return <Spin description={t("loading")} />;
  const d = device.data;
  const state = stateOf(d);
  const dash = "—";
  const when = (value: string | null | undefined) => (value ? formatDateTime(value, locale) : dash);
  const mine = (alarms.data?.items ?? []).filter((alarm) => alarm.thing === d.thing);

  return (
    <>
      <PageHeader
        title={d.name}
        extra={<Link to={`/devices?unit=${d.unit}`}>{t("device.back")}</Link>}
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={14}>
          <Card title={<h2 className="card-title">{t("device.health")}</h2>}>
            <Descriptions size="small" column={{ xs: 1, sm: 2 }} bordered data-testid="device-health">
              <Descriptions.Item label={t("devices.state")}>
                <span data-testid="device-state" data-state={state}>
                  <Tag color={STATE_COLOUR[state]}>{t(`state.${state}` as const)}</Tag>
                  {d.alarm_open && <Tag color="#a8071a">{t("state.alarm")}</Tag>}
                </span>
              </Descriptions.Item>
              <Descriptions.Item label={t("devices.thing")}>{d.thing}</Descriptions.Item>
              <Descriptions.Item label={t("devices.unit")}>
                <Link to={`/units/${d.unit}`}>{unitName.data || d.unit}</Link>
              </Descriptions.Item>
              <Descriptions.Item label={t("devices.kind")}>{t(`kind.${d.kind}` as const)}</Descriptions.Item>
              <Descriptions.Item label={t("device.current")}>
                {d.playing ? (
                  <span data-testid="device-playing">
                    <Link to={`/bulletins/${d.playing.bulletin_id}`}>{d.playing.bulletin_id}</Link>
                    {d.playing.emergency && <Tag color="#a8071a">{t("state.emergency")}</Tag>} · {formatTime(d.playing.started_at, locale)}
                  </span>
                ) : (
                  t("device.nothing")
                )}
              </Descriptions.Item>
              <Descriptions.Item label={t("devices.lastSeen")}>{when(d.last_seen)}</Descriptions.Item>
              <Descriptions.Item label={t("device.connected")}>{when(d.connected_at)}</Descriptions.Item>
              <Descriptions.Item label={t("device.disconnected")}>{when(d.disconnected_at)}</Descriptions.Item>
              <Descriptions.Item label={t("device.temperature")}>
                {d.temperature_c === null ? dash : `${formatNumber(d.temperature_c, locale)} °C`}
              </Descriptions.Item>
              <Descriptions.Item label={t("device.signal")}>
                {d.signal_dbm === null ? dash : `${formatNumber(d.signal_dbm, locale)} dBm`}
              </Descriptions.Item>
              <Descriptions.Item label={t("device.uptime")}>
                {d.uptime_s === null ? dash : duration(d.uptime_s)}
              </Descriptions.Item>
              <Descriptions.Item label={t("device.firmware")}>{d.firmware ?? dash}</Descriptions.Item>
              <Descriptions.Item label={t("device.vendor")}>
                {d.vendor}, {d.model}
              </Descriptions.Item>
              <Descriptions.Item label={t("device.location")}>
                {formatNumber(d.location.lat, locale)}, {formatNumber(d.location.lon, locale)}
              </Descriptions.Item>
              <Descriptions.Item label={t("device.errors")} span={2}>
                {d.errors.length ? d.errors.join("; ") : dash}
              </Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card title={<h2 className="card-title">{t("device.shadow")}</h2>}>
            <Descriptions size="small" column={1} bordered data-testid="device-shadow">
              <Descriptions.Item label={t("devices.volume")}>
                <span data-testid="device-volume">{d.volume ?? dash}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t("device.power")}>
                {d.power ? t(d.power === "on" ? "device.on" : "device.off") : dash}
              </Descriptions.Item>
              {d.kind === "board" && (
                <Descriptions.Item label={t("device.brightness")}>{d.brightness ?? dash}</Descriptions.Item>
              )}
              <Descriptions.Item label={t("device.heartbeat")}>{t("device.seconds", { n: d.heartbeat_s })}</Descriptions.Item>
            </Descriptions>
          </Card>
          <Card title={<h2 className="card-title">{t("commands.title")}</h2>} className="stacked-card">
            {allows(user, "devices:manage") ? (
              <CommandPanel device={d} onSent={(command) => setSent((list) => [command, ...list])} />
            ) : (
              <Typography.Text type="secondary">{t("commands.noPermission")}</Typography.Text>
            )}
            {sent.length > 0 && (
              <>
                <h3 className="sub-title">{t("commands.sent")}</h3>
                <List
                  size="small"
                  data-testid="commands-sent"
                  dataSource={sent}
                  renderItem={(command) => {
                    const status = commandState(command, d);
                    return (
                      <List.Item data-status={status}>
                        <span>
                          {t(`commands.name.${command.command}` as const, { value: String(command.value ?? "") })} ·{" "}
                          {formatTime(command.issued_at, locale)}
                        </span>
                        <Tag color={status === "confirmed" ? "#237804" : status === "failed" ? "#a8071a" : "#0958d9"} role="status">
                          {t(`commands.status.${status}` as const)}
                        </Tag>
                      </List.Item>
                    );
                  }}
                />
              </>
            )}
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card title={<h2 className="card-title">{t("device.plays")}</h2>}>
            {plays.error ? (
              <ErrorAlert error={plays.error} onRetry={plays.reload} />
            ) : (
              <Table<Play>
                size="small"
                rowKey="play_id"
                loading={!plays.data}
                dataSource={plays.data}
                pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
                scroll={{ x: true }}
                locale={{ emptyText: t("device.noPlays") }}
                columns={[
                  { title: t("device.started"), dataIndex: "started_at", render: (v: string) => formatTime(v, locale) },
                  {
                    title: t("device.bulletin"),
                    dataIndex: "bulletin_id",
                    render: (id: string, play) => (
                      <>
                        <Link to={`/bulletins/${id}`}>{id}</Link> {play.emergency && <Tag color="#a8071a">{t("state.emergency")}</Tag>}
                      </>
                    ),
                  },
                  { title: t("device.result"), dataIndex: "result", render: (r: string) => t(`result.${r}` as "result.ok") },
                  {
                    title: t("device.duration"),
                    dataIndex: "duration_s",
                    responsive: ["md"],
                    render: (s: number) => t("device.seconds", { n: formatNumber(Math.round(s), locale) }),
                  },
                ]}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card title={<h2 className="card-title">{t("device.alarms")}</h2>} data-testid="device-alarms">
            {mine.length ? (
              <List
                size="small"
                dataSource={mine}
                renderItem={(alarm) => (
                  <List.Item>
                    <span>
                      {formatDateTime(alarm.opened_at, locale)} · {alarm.reason}
                    </span>
                    <Tag color={alarm.open ? "#a8071a" : "default"}>
                      {alarm.open ? t("device.openAlarm") : t("device.closedAlarm", { time: when(alarm.closed_at) })}
                    </Tag>
                  </List.Item>
                )}
              />
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={<span className="stat-title">{t("device.noAlarms")}</span>} />
            )}
          </Card>
        </Col>
      </Row>
    </>
  );
}

function duration(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return days ? `${days}d ${hours}h` : `${hours}h ${minutes}m`;
}
