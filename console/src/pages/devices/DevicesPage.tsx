/**
 * An area's devices: list (table, cards' worth of columns on a phone), map of their positions,
 * per-station statistics; filters in the URL so a link from the overview lands filtered.
 * Operators may provision a new device here.
 */
import { Button, Flex, Form, Select, Space, Spin, Switch, Table, Tabs, Tag, Typography } from "antd";
import { useMemo, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";

import { ApiError } from "../../api/client";
import { allows } from "../../auth/permissions";
import { useSession } from "../../auth/session";
import { DistrictMap } from "../../components/DistrictMap";
import { ErrorAlert } from "../../components/ErrorAlert";
import { OutOfScope } from "../../components/OutOfScope";
import { PageHeader } from "../../components/PageHeader";
import { UnitPicker } from "../../components/UnitPicker";
import { useApi } from "../../components/useApi";
import { formatDateTime } from "../../format";
import { useLocale, useT } from "../../i18n";
import type { Translate } from "../../i18n";
import { loadDevices, STATE_COLOUR, stateOf } from "./devices";
import type { Device } from "./devices";
import { deviceMessages } from "./messages";
import type { DeviceKey } from "./messages";
import { ProvisionDialog } from "./ProvisionDialog";
import { StationsTable } from "./StationsTable";

const POLL_MS = 5_000;

export default function DevicesPage() {
  const t = useT(deviceMessages);
  const { locale } = useLocale();
  const { user } = useSession();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const unit = params.get("unit") ?? user?.unit ?? "";
  const kind = params.get("kind") ?? "";
  const alarmsOnly = params.get("alarms") === "1";
  const view = params.get("view") ?? "list";
  const [provisioning, setProvisioning] = useState(false);

  const devices = useApi(() => loadDevices(unit), [unit], POLL_MS);
  const shown = useMemo(
    () =>
      (devices.data ?? []).filter(
        (device) => (!kind || device.kind === kind) && (!alarmsOnly || device.alarm_open || !device.online),
      ),
    [devices.data, kind, alarmsOnly],
  );

  function set(name: string, value: string | null) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  }

  if (devices.error instanceof ApiError && devices.error.status === 403) return <OutOfScope unit={unit} />;

  const stateTag = (device: Device) => {
    const state = stateOf(device);
    return (
      <Space size={4} wrap>
        <Tag color={STATE_COLOUR[state]}>{t(`state.${state}` as const)}</Tag>
        {device.alarm_open && <Tag color="#a8071a">{t("state.alarm")}</Tag>}
      </Space>
    );
  };

  const online = shown.filter((device) => device.online).length;
  const playing = shown.filter((device) => device.playing).length;

  return (
    <>
      <PageHeader
        title={t("devices.title")}
        extra={
          allows(user, "devices:manage") && (
            <Button type="primary" onClick={() => setProvisioning(true)}>
              {t("devices.provision")}
            </Button>
          )
        }
      />
      <Form layout="vertical" className="filters">
        <Flex gap="middle" wrap>
          <Form.Item label={t("devices.unit")} htmlFor="devices-unit" className="filter-wide">
            <UnitPicker id="devices-unit" value={unit} onChange={(value) => set("unit", String(value))} />
          </Form.Item>
          <Form.Item label={t("devices.kind")} htmlFor="devices-kind" className="filter">
            <Select
              id="devices-kind"
              value={kind}
              onChange={(value) => set("kind", value)}
              options={[
                { value: "", label: t("devices.all") },
                { value: "speaker", label: t("kind.speaker") },
                { value: "board", label: t("kind.board") },
              ]}
            />
          </Form.Item>
          <Form.Item label={t("devices.onlyAlarms")} htmlFor="devices-alarms" className="filter">
            <Switch id="devices-alarms" checked={alarmsOnly} onChange={(checked) => set("alarms", checked ? "1" : null)} />
          </Form.Item>
        </Flex>
      </Form>
      {devices.error ? (
        <ErrorAlert error={devices.error} onRetry={devices.reload} />
      ) : (
        <Tabs
          activeKey={view}
          onChange={(key) => set("view", key === "list" ? null : key)}
          items={[
            {
              key: "list",
              label: t("devices.list"),
              children: (
                <>
                  <Typography.Paragraph data-testid="devices-count" aria-live="polite">
                    {devices.data ? t("devices.count", { shown: shown.length, online, playing }) : <Spin />}
                  </Typography.Paragraph>
                  <Table<Device>
                    size="small"
                    rowKey="thing"
                    loading={!devices.data}
                    dataSource={shown}
                    pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
                    scroll={{ x: true }}
                    locale={{ emptyText: t("devices.none") }}
                    data-testid="devices-table"
                    onRow={(device) => ({ "data-thing": device.thing, "data-state": stateOf(device) }) as never}
                    columns={[
                      {
                        title: t("devices.name"),
                        dataIndex: "name",
                        render: (name: string, device) => (
                          <>
                            <Link to={`/devices/${device.thing}`}>{name}</Link>
                            <br />
                            <Typography.Text type="secondary" className="small-text">
                              {device.thing}
                            </Typography.Text>
                          </>
                        ),
                      },
                      { title: t("devices.state"), key: "state", render: (_, device) => stateTag(device) },
                      { title: t("devices.kind"), dataIndex: "kind", responsive: ["md"], render: (k: string) => t(`kind.${k}` as "kind.speaker") },
                      {
                        title: t("devices.volume"),
                        dataIndex: "volume",
                        responsive: ["md"],
                        render: (volume: number | null) => volume ?? "—",
                      },
                      {
                        title: t("devices.lastSeen"),
                        dataIndex: "last_seen",
                        responsive: ["lg"],
                        render: (seen: string | null) => (seen ? formatDateTime(seen, locale) : "—"),
                      },
                    ]}
                  />
                </>
              ),
            },
            {
              key: "map",
              label: t("devices.map"),
              children: (
                <DeviceMap devices={shown} onOpen={(thing) => navigate(`/devices/${thing}`)} t={t} />
              ),
            },
            { key: "stations", label: t("devices.stations"), children: <StationsTable unit={unit} /> },
          ]}
        />
      )}
      {provisioning && <ProvisionDialog onClose={() => setProvisioning(false)} onDone={devices.reload} />}
    </>
  );
}

const LEGEND = ["online", "playing", "emergency", "offline"] as const;

/** Outside the page's render, so a poll redraws the markers, not the map. */
function DeviceMap({ devices, onOpen, t }: { devices: Device[]; onOpen: (thing: string) => void; t: Translate<DeviceKey> }) {
  const markers = useMemo(
    () =>
      devices.map((device) => ({
        id: device.thing,
        lat: device.location.lat,
        lon: device.location.lon,
        color: STATE_COLOUR[stateOf(device)],
        tooltip: `${device.name} — ${t(`state.${stateOf(device)}` as const)}`,
      })),
    [devices, t],
  );
  return (
    <>
      <Flex gap="middle" wrap className="legend">
        {LEGEND.map((state) => (
          <span key={state}>
            <span className="legend-dot" style={{ background: STATE_COLOUR[state] }} /> {t(`state.${state}` as const)}
          </span>
        ))}
      </Flex>
      <DistrictMap label={t("devices.mapLabel")} markers={markers} onMarkerClick={onOpen} height={480} />
    </>
  );
}
