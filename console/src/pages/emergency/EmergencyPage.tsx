/**
 * One screen for an emergency: compose it for areas (or import CAP), approve what waits for
 * the user, and watch it reach the devices live, then withdraw it. Each part shows only to
 * those whose roles allow it (the API still decides).
 */
import { Button, Card, Empty, List, Modal, Select, Space, Spin, Tag } from "antd";
import { useState } from "react";

import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { allows } from "../../auth/permissions";
import { useSession } from "../../auth/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { useApi } from "../../components/useApi";
import { formatDateTime, todayInVietnam } from "../../format";
import { useLocale, useT } from "../../i18n";
import { IssueForm } from "./IssueForm";
import { LiveDelivery } from "./LiveDelivery";
import { emergencyMessages } from "./messages";
import { reachOf } from "./reach";

type Bulletin = components["schemas"]["BulletinView"];
type BulletinPage = components["schemas"]["BulletinPage"];

export default function EmergencyPage() {
  const t = useT(emergencyMessages);
  const { locale } = useLocale();
  const { user } = useSession();
  const home = user?.unit ?? "";
  const today = todayInVietnam();
  const [modal, holder] = Modal.useModal();
  const [watched, setWatched] = useState<string>();
  const [failure, setFailure] = useState<unknown>();
  const mayCompose = allows(user, "bulletins:compose");
  const mayApprove = allows(user, "bulletins:approve");

  const pending = useApi<BulletinPage>(
    () =>
      mayApprove
        ? ok(api().GET("/bulletins", { params: { query: { unit: home, status: "pending", priority: "emergency", limit: 50 } } }))
        : Promise.resolve({ items: [] }),
    [home, mayApprove],
    5_000,
  );
  const recent = useApi<BulletinPage>(
    () => ok(api().GET("/bulletins", { params: { query: { unit: home, priority: "emergency", from: today, to: today, limit: 50 } } })),
    [home, today],
    5_000,
  );

  const watchable = (recent.data?.items ?? []).filter((b) => ["approved", "withdrawn", "expired"].includes(b.status));
  const current = watchable.find((b) => b.id === watched) ?? watchable.find((b) => b.status === "approved") ?? watchable[0];

  function refresh(bulletin?: Bulletin) {
    if (bulletin?.status === "approved") setWatched(bulletin.id);
    pending.reload();
    recent.reload();
  }

  async function approve(bulletin: Bulletin) {
    setFailure(undefined);
    try {
      const reach = await reachOf(bulletin.targets);
      void modal.confirm({
        title: t("confirm.title"),
        content: t("confirm.approve", { title: bulletin.title, devices: reach.devices, online: reach.online, areas: reach.names }),
        okText: t("confirm.ok"),
        okButtonProps: { danger: true },
        cancelText: t("confirm.cancel"),
        onOk: async () => {
          try {
            const approved: Bulletin = await ok(
              api().POST("/bulletins/{bulletin_id}/approve", {
                params: { path: { bulletin_id: bulletin.id } },
                body: { version: bulletin.version },
              }),
            );
            refresh(approved);
          } catch (error) {
            setFailure(error);
          }
        },
      });
    } catch (error) {
      setFailure(error);
    }
  }

  return (
    <>
      {holder}
      <PageHeader title={t("emergency.title")} />
      <Space direction="vertical" size="middle" style={{ width: "100%" }}>
        {failure !== undefined && <ErrorAlert error={failure} />}
        {mayCompose && (
          <Card title={<h2 className="card-title">{t("issue.title")}</h2>}>
            <IssueForm onIssued={refresh} />
          </Card>
        )}
        {mayApprove && (
          <Card title={<h2 className="card-title">{t("pending.title")}</h2>} data-testid="emergency-pending">
            {pending.error ? (
              <ErrorAlert error={pending.error} onRetry={pending.reload} />
            ) : !pending.data ? (
              <Spin />
            ) : pending.data.items.length ? (
              <List
                dataSource={pending.data.items}
                renderItem={(bulletin) => (
                  <List.Item
                    actions={[
                      <Button key="approve" type="primary" danger onClick={() => void approve(bulletin)}>
                        {t("pending.approve")}
                      </Button>,
                    ]}
                  >
                    <List.Item.Meta
                      title={bulletin.title}
                      description={<span className="stat-title">{t("pending.by", {
                        author: bulletin.author.username,
                        time: formatDateTime(bulletin.updated_at, locale),
                      })}</span>}
                    />
                  </List.Item>
                )}
              />
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={<span className="stat-title">{t("pending.none")}</span>} />
            )}
          </Card>
        )}
        <Card title={<h2 className="card-title">{t("live.title")}</h2>}>
          {recent.error ? (
            <ErrorAlert error={recent.error} onRetry={recent.reload} />
          ) : !recent.data ? (
            <Spin />
          ) : current ? (
            <Space direction="vertical" size="middle" style={{ width: "100%" }}>
              <label htmlFor="live-pick" className="field-label">
                {t("live.pick")}
              </label>
              <Select
                id="live-pick"
                value={current.id}
                onChange={setWatched}
                style={{ width: "100%", maxWidth: 560 }}
                options={watchable.map((b) => ({
                  value: b.id,
                  label: (
                    <span>
                      {b.title} <Tag>{t(`status.${b.status}` as const)}</Tag>
                    </span>
                  ),
                }))}
              />
              <LiveDelivery key={current.id} bulletin={current} onChanged={() => refresh()} />
            </Space>
          ) : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={<span className="stat-title">{t("live.none")}</span>} />
          )}
        </Card>
      </Space>
    </>
  );
}

