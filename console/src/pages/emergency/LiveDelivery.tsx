/**
 * Watch an emergency reach its devices: which are playing it, which are online and not (yet),
 * which are offline, refreshed every 1.5 s from GET /devices?unit= for each of its areas; and
 * withdraw it, which stops it everywhere.
 */
import { Alert, Button, Flex, Input, Modal, Space, Statistic, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router-dom";

import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { useSession } from "../../auth/session";
import { errorMessage, ErrorAlert } from "../../components/ErrorAlert";
import { useApi } from "../../components/useApi";
import { formatTime } from "../../format";
import { useLocale, useT } from "../../i18n";
import { loadDevices } from "../devices/devices";
import type { Device } from "../devices/devices";
import { emergencyMessages } from "./messages";

type Bulletin = components["schemas"]["BulletinView"];
export type Delivery = "playing" | "idle" | "offline";

const POLL_MS = 1_500;
const COLOUR: Record<Delivery, string> = { playing: "#a8071a", idle: "#237804", offline: "#595959" };

export function deliveryOf(device: Device, bulletinId: string): Delivery {
  if (!device.online) return "offline";
  return device.playing?.bulletin_id === bulletinId ? "playing" : "idle";
}

export function LiveDelivery({ bulletin, onChanged }: { bulletin: Bulletin; onChanged: () => void }) {
  const t = useT(emergencyMessages);
  const { locale } = useLocale();
  const { user } = useSession();
  const [modal, holder] = Modal.useModal();
  const [failure, setFailure] = useState<string>();
  const live = bulletin.status === "approved";
  const devices = useApi<Device[]>(
    async () => {
      const each = await Promise.all(bulletin.targets.map((unit) => loadDevices(unit)));
      // Areas may nest (a district and one of its communes): each device once.
      return [...new Map(each.flat().map((device) => [device.thing, device])).values()];
    },
    [bulletin.id, bulletin.targets.join(",")],
    POLL_MS,
  );

  const rows = (devices.data ?? []).map((device) => ({ device, delivery: deliveryOf(device, bulletin.id) }));
  const count = (what: Delivery) => rows.filter((row) => row.delivery === what).length;

  function withdraw() {
    let reason = "";
    void modal.confirm({
      title: t("live.withdrawTitle"),
      content: (
        <Space direction="vertical" style={{ width: "100%" }}>
          <span>{t("live.withdrawBody", { title: bulletin.title })}</span>
          <label htmlFor="withdraw-reason">{t("live.reason")}</label>
          <Input.TextArea id="withdraw-reason" rows={2} maxLength={1000} onChange={(event) => (reason = event.target.value)} />
        </Space>
      ),
      okText: t("live.withdraw").replace("…", ""),
      okButtonProps: { danger: true },
      cancelText: t("confirm.cancel"),
      onOk: async () => {
        if (reason.trim().length < 3) {
          setFailure(t("live.reasonRequired"));
          return;
        }
        try {
          await ok(
            api().POST("/bulletins/{bulletin_id}/withdraw", {
              params: { path: { bulletin_id: bulletin.id } },
              body: { reason: reason.trim(), version: bulletin.version },
            }),
          );
          setFailure(undefined);
          onChanged();
        } catch (error) {
          setFailure(errorMessage(error, t));
        }
      },
    });
  }

  // Who may withdraw is the API's decision (approvers of its area, or its author); offer it to
  // the approvers and the author, the ones it could allow.
  const mayWithdraw =
    (live || bulletin.status === "pending") &&
    (user?.roles.includes("approver") || user?.roles.includes("admin") || bulletin.author.username === user?.username);

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="live-delivery">
      {holder}
      <Flex justify="space-between" align="center" wrap gap="small">
        <Typography.Text>
          {t("live.status")}: <Tag color={live ? "#a8071a" : "default"}>{t(`status.${bulletin.status}` as const)}</Tag>
          {devices.data && (
            <Typography.Text type="secondary">{t("live.updated", { time: formatTime(new Date(), locale) })}</Typography.Text>
          )}
        </Typography.Text>
        {mayWithdraw && (
          <Button danger onClick={withdraw}>
            {t("live.withdraw")}
          </Button>
        )}
      </Flex>
      {failure && <Alert type="error" showIcon description={failure} />}
      {devices.error ? (
        <ErrorAlert error={devices.error} onRetry={devices.reload} />
      ) : (
        <>
          <Flex gap="large" wrap aria-live="polite" data-testid="live-counts">
            <Statistic title={<span className="stat-title">{t("live.playing")}</span>} value={count("playing")} valueStyle={{ color: COLOUR.playing }} data-testid="live-playing" />
            <Statistic title={<span className="stat-title">{t("live.idle")}</span>} value={count("idle")} valueStyle={{ color: COLOUR.idle }} />
            <Statistic title={<span className="stat-title">{t("live.offline")}</span>} value={count("offline")} valueStyle={{ color: "#595959" }} />
          </Flex>
          <Table
            size="small"
            rowKey={(row) => row.device.thing}
            loading={!devices.data}
            dataSource={rows}
            pagination={{ pageSize: 25, hideOnSinglePage: true, showSizeChanger: false }}
            scroll={{ x: true }}
            onRow={(row) => ({ "data-delivery": row.delivery }) as never}
            columns={[
              {
                title: t("live.device"),
                key: "device",
                render: (_, row) => <Link to={`/devices/${row.device.thing}`}>{row.device.name}</Link>,
              },
              {
                title: t("live.state"),
                key: "state",
                render: (_, row) => <Tag color={COLOUR[row.delivery]}>{t(`live.${row.delivery}` as const)}</Tag>,
              },
            ]}
          />
        </>
      )}
    </Space>
  );
}
