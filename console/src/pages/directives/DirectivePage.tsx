/** One directive: its text, each target's acknowledgement (overdue, escalated), acknowledge and close, and broadcast compliance per commune. */
import { App as AntApp, Alert, Button, Card, Descriptions, Modal, Space, Spin, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { Link, useParams } from "react-router-dom";

import { ApiError, api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { allows } from "../../auth/permissions";
import { useSession } from "../../auth/session";
import { ErrorAlert, errorMessage } from "../../components/ErrorAlert";
import { OutOfScope } from "../../components/OutOfScope";
import { PageHeader } from "../../components/PageHeader";
import { useApi } from "../../components/useApi";
import { formatDate, formatDateTime } from "../../format";
import { useLocale, useT } from "../../i18n";
import ComplianceCard from "./ComplianceCard";
import { directiveMessages } from "./messages";

type View = components["schemas"]["DirectiveView"];
type Target = components["schemas"]["Target"];

export default function DirectivePage() {
  const t = useT(directiveMessages);
  const { locale } = useLocale();
  const { user } = useSession();
  const { id = "" } = useParams();
  const { message } = AntApp.useApp();
  const [modal, holder] = Modal.useModal();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const loaded = useApi(() => ok(api().GET("/directives/{directive_id}", { params: { path: { directive_id: id } } })), [id]);
  const [fresh, setFresh] = useState<View>();
  const directive = fresh?.id === id ? fresh : loaded.data;

  if (loaded.error instanceof ApiError && loaded.error.status === 403) return <OutOfScope unit={user?.unit ?? ""} />;
  if (loaded.error) return <ErrorAlert error={loaded.error} onRetry={loaded.reload} />;
  if (!directive) return <Spin description={t("loading")} />;

  const home = user?.unit ?? "";
  // A target this user may answer for: their own unit, or one below it while still below the issuer.
  const answerable = directive.targets.find(
    (target) => target.path.slice(directive.issuer_path.length).includes(home) && !target.acknowledged_at,
  );
  const mayAcknowledge = directive.status === "open" && allows(user, "directives:acknowledge") && answerable;
  const mayClose = directive.status === "open" && allows(user, "directives:issue") && directive.issuer_path.includes(home);

  async function act(step: () => Promise<View>, done?: string) {
    setProblem(undefined);
    setBusy(true);
    try {
      setFresh(await step());
      if (done) void message.success(done);
    } catch (error) {
      setProblem(errorMessage(error, t));
    } finally {
      setBusy(false);
    }
  }

  const acknowledge = (target: Target) =>
    act(
      () =>
        ok(
          api().POST("/directives/{directive_id}/acknowledge", {
            params: { path: { directive_id: id } },
            body: { unit: target.unit },
          }),
        ),
      t("dir.acknowledgedNote", { unit: target.name }),
    );
  const close = () =>
    void modal.confirm({
      title: t("dir.close"),
      content: t("dir.closeConfirm"),
      okText: t("dir.close"),
      cancelText: t("dir.cancel"),
      onOk: () => act(() => ok(api().POST("/directives/{directive_id}/close", { params: { path: { directive_id: id } } }))),
    });

  return (
    <>
      {holder}
      <PageHeader
        title={directive.title}
        extra={
          <Space wrap>
            {mayAcknowledge && answerable && (
              <Button type="primary" loading={busy} onClick={() => void acknowledge(answerable)}>
                {t("dir.acknowledge")}
              </Button>
            )}
            {mayClose && (
              <Button danger loading={busy} onClick={close}>
                {t("dir.close")}
              </Button>
            )}
            <Link to="/directives">{t("dir.back")}</Link>
          </Space>
        }
      />
      {problem && <Alert type="error" showIcon title={problem} className="directive-error" />}
      <Card size="small">
        <Descriptions size="small" column={{ xs: 1, md: 2 }}>
          <Descriptions.Item label={t("dir.issuer")}>{directive.issuer_name}</Descriptions.Item>
          <Descriptions.Item label={t("dir.issuedAt")}>{formatDateTime(directive.created_at, locale)}</Descriptions.Item>
          <Descriptions.Item label={t("dir.due")}>{formatDate(directive.due, locale)}</Descriptions.Item>
          <Descriptions.Item label={t("dir.status")}>
            <Space size={4} wrap>
              <Tag color={directive.status === "open" ? "#1d4ed8" : "#374151"}>{t(`dir.status.${directive.status}`)}</Tag>
              <Tag>{t("dir.progress", { done: directive.acknowledged, total: directive.targets.length })}</Tag>
              {directive.overdue > 0 && <Tag color="#7f1d1d">{t("dir.overdueCount", { count: directive.overdue })}</Tag>}
            </Space>
          </Descriptions.Item>
        </Descriptions>
        <Typography.Paragraph className="directive-text">{directive.text}</Typography.Paragraph>
        {(directive.attachments ?? []).length > 0 && (
          <Typography.Paragraph>
            {t("dir.attachments")}: {(directive.attachments ?? []).map((file) => file.file_name).join(", ")}
          </Typography.Paragraph>
        )}
      </Card>
      <h2 className="section-title">{t("dir.targets")}</h2>
      <Table<Target>
        size="small"
        rowKey="unit"
        pagination={false}
        dataSource={directive.targets}
        scroll={{ x: 640 }}
        data-testid="directive-targets"
        columns={[
          { title: t("dir.unit"), render: (_: unknown, target) => target.name },
          {
            title: t("dir.status"),
            render: (_: unknown, target) => (
              <Space size={4} wrap>
                {target.acknowledged_at ? (
                  <Tag color="#166534">{t("dir.acknowledged")}</Tag>
                ) : (
                  <Tag color={target.overdue ? "#7f1d1d" : "#9a3412"}>{t(target.overdue ? "dir.overdue" : "dir.waiting")}</Tag>
                )}
                {target.escalated_to && <Tag>{t("dir.escalated", { unit: target.escalated_to })}</Tag>}
              </Space>
            ),
          },
          { title: t("dir.ackBy"), render: (_: unknown, target) => target.acknowledged_by?.username ?? "—" },
          {
            title: t("dir.ackAt"),
            render: (_: unknown, target) => (target.acknowledged_at ? formatDateTime(target.acknowledged_at, locale) : "—"),
          },
        ]}
      />
      {(directive.compliance ?? []).map((measured) => (
        <ComplianceCard key={measured.bulletin_id} measured={measured} />
      ))}
    </>
  );
}
