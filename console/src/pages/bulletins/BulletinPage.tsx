/**
 * One bulletin: what it says, where and when it plays, its history with each edit's changes, and
 * the workflow steps the person may take now (submit, approve, reject, withdraw, revise, edit).
 */
import "./bulletins.css";
import { App as AntApp, Alert, Button, Card, Col, Descriptions, Form, Input, List, Modal, Row, Space, Spin, Typography } from "antd";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";

import { api, ok } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorAlert, errorMessage } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { useApi } from "../../components/useApi";
import { formatDate, formatDateTime } from "../../format";
import { useLocale, useT } from "../../i18n";
import type { Action, AuditEvent, BulletinView } from "./actions";
import { actionsFor, areaOf } from "./actions";
import { History } from "./History";
import { bulletinMessages } from "./messages";
import { MediaName, PriorityTag, StatusTag, UnitName, useBulletinsArea } from "./parts";
import { previewPlays } from "./schedule";
import type { Schedule } from "./schedule";

interface Loaded {
  bulletin: BulletinView;
  events: AuditEvent[];
  actions: Action[];
}

const SHOWN = 8;

type Step = Exclude<Action, "edit">;

export default function BulletinPage() {
  const { id = "" } = useParams();
  useBulletinsArea();
  const t = useT(bulletinMessages);
  const { locale } = useLocale();
  const { user } = useSession();
  const navigate = useNavigate();
  const { message, modal } = AntApp.useApp();
  const [asking, setAsking] = useState<"reject" | "withdraw">();
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [stepError, setStepError] = useState<unknown>();

  const { data, error, loading, reload } = useApi<Loaded>(async () => {
    const path = { params: { path: { bulletin_id: id } } };
    const [bulletin, events] = await Promise.all([
      ok(api().GET("/bulletins/{bulletin_id}", path)),
      ok(api().GET("/bulletins/{bulletin_id}/history", path)),
    ]);
    const area = user ? await areaOf(user, bulletin) : { issuer: false, targets: false };
    return { bulletin, events, actions: user ? actionsFor(user, bulletin, area.issuer, area.targets) : [] };
  }, [id]);

  if (error) return (<><PageHeader title={t("list.title")} /><ErrorAlert error={error} onRetry={reload} /></>);
  if (loading && !data) return <Spin description={t("loading")} />;
  if (!data) return null;
  const { bulletin, events, actions } = data;

  const run = async (step: Step, why?: string) => {
    setBusy(true);
    setStepError(undefined);
    const path = { params: { path: { bulletin_id: bulletin.id } } };
    const version = { version: bulletin.version };
    try {
      if (step === "approve") await ok(api().POST("/bulletins/{bulletin_id}/approve", { ...path, body: version }));
      if (step === "submit") await ok(api().POST("/bulletins/{bulletin_id}/submit", { ...path, body: version }));
      if (step === "reject") await ok(api().POST("/bulletins/{bulletin_id}/reject", { ...path, body: { ...version, reason: why ?? "" } }));
      if (step === "withdraw") await ok(api().POST("/bulletins/{bulletin_id}/withdraw", { ...path, body: { ...version, reason: why ?? "" } }));
      if (step === "revise") {
        const revision = await ok(api().POST("/bulletins/{bulletin_id}/revise", path));
        message.success(t("action.done.revise"));
        navigate(`/bulletins/${revision.id}/edit`);
        return;
      }
      message.success(t(`action.done.${step}`));
      setAsking(undefined);
      setReason("");
      reload();
    } catch (problem) {
      setStepError(problem);
    } finally {
      setBusy(false);
    }
  };

  const approve = () =>
    modal.confirm({
      title: t("action.approve"),
      content: t("action.confirmApprove", { title: bulletin.title }),
      okText: t("action.approve"),
      cancelText: t("compose.cancel"),
      onOk: () => run("approve"),
    });

  const buttons = (
    <Space wrap>
      {actions.includes("edit") && (
        <Button onClick={() => navigate(`/bulletins/${bulletin.id}/edit`)}>{t("action.edit")}</Button>
      )}
      {actions.includes("submit") && (
        <Button type="primary" loading={busy} onClick={() => void run("submit")}>
          {t("action.submit")}
        </Button>
      )}
      {actions.includes("approve") && (
        <Button type="primary" loading={busy} onClick={approve}>
          {t("action.approve")}
        </Button>
      )}
      {actions.includes("reject") && <Button danger onClick={() => setAsking("reject")}>{t("action.reject")}</Button>}
      {actions.includes("withdraw") && <Button danger onClick={() => setAsking("withdraw")}>{t("action.withdraw")}</Button>}
      {actions.includes("revise") && (
        <Button loading={busy} onClick={() => void run("revise")}>
          {t("action.revise")}
        </Button>
      )}
    </Space>
  );

  const plays = previewPlays(bulletin.schedule as Schedule, bulletin.priority ?? "normal", bulletin.repeat);

  return (
    <>
      <PageHeader title={bulletin.title} extra={buttons} />
      {stepError !== undefined && <Alert type="error" showIcon role="alert" className="bulletin-block" title={errorMessage(stepError, t)} />}
      {bulletin.rejection && bulletin.status === "rejected" && (
        <Alert type="warning" showIcon className="bulletin-block" title={t("detail.rejection", { reason: bulletin.rejection.reason })} />
      )}
      {bulletin.withdrawal && <Alert type="warning" showIcon className="bulletin-block" title={t("detail.withdrawal", { reason: bulletin.withdrawal.reason })} />}
      {bulletin.on_air && <Alert type="success" showIcon className="bulletin-block" title={t("detail.onAir")} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={15}>
          <Descriptions size="small" bordered column={1} className="bulletin-block">
            <Descriptions.Item label={t("list.status")}>
              <Space wrap>
                <StatusTag status={bulletin.status} />
                <PriorityTag priority={bulletin.priority ?? "normal"} />
              </Space>
            </Descriptions.Item>
            <Descriptions.Item label={t("detail.category")}>{t(`category.${bulletin.category}`)}</Descriptions.Item>
            <Descriptions.Item label={t("detail.issuer")}>
              <UnitName code={bulletin.issuer_unit} />
            </Descriptions.Item>
            <Descriptions.Item label={t("detail.targets")}>
              {bulletin.targets.map((code, index) => (
                <span key={code}>
                  {index > 0 && ", "}
                  <UnitName code={code} />
                </span>
              ))}
            </Descriptions.Item>
            <Descriptions.Item label={t("detail.channels")}>{(bulletin.channels ?? []).map((c) => t(`channel.${c}`)).join(", ")}</Descriptions.Item>
            <Descriptions.Item label={t("detail.validity")}>
              {formatDateTime(bulletin.effective_from, locale)} – {formatDateTime(bulletin.effective_until, locale)}
            </Descriptions.Item>
            <Descriptions.Item label={t("detail.duration")}>{t("detail.seconds", { count: bulletin.expected_duration_s })}</Descriptions.Item>
            <Descriptions.Item label={t("detail.author")}>
              {bulletin.author.username} · {formatDateTime(bulletin.created_at, locale)}
            </Descriptions.Item>
            {bulletin.approved_by && (
              <Descriptions.Item label={t("detail.approvedBy")}>
                {bulletin.approved_by.username} · {bulletin.approved_at ? formatDateTime(bulletin.approved_at, locale) : ""}
              </Descriptions.Item>
            )}
            <Descriptions.Item label={t("detail.version")}>{bulletin.version}</Descriptions.Item>
            {bulletin.supersedes && (
              <Descriptions.Item label={t("detail.supersedes")}>
                <Link to={`/bulletins/${bulletin.supersedes}`}>{bulletin.supersedes.slice(0, 8)}</Link>
              </Descriptions.Item>
            )}
            {bulletin.superseded_by && (
              <Descriptions.Item label={t("detail.supersededBy")}>
                <Link to={`/bulletins/${bulletin.superseded_by}`}>{bulletin.superseded_by.slice(0, 8)}</Link>
              </Descriptions.Item>
            )}
          </Descriptions>
          <h2 className="section-title">{t("detail.body")}</h2>
          <Typography.Paragraph className="bulletin-pre">{bulletin.body}</Typography.Paragraph>
          <h2 className="section-title">{t("detail.schedule")}</h2>
          <Typography.Text>{t("schedule.preview", { count: plays.length })}</Typography.Text>
          <ul className="bulletin-plays" aria-label={t("schedule.title")}>
            {plays.slice(0, SHOWN).map((play) => (
              <li key={`${play.day} ${play.time}`}>
                {formatDate(play.day, locale)} · {play.time}
              </li>
            ))}
          </ul>
          {plays.length > SHOWN && <Typography.Text type="secondary">{t("schedule.more", { count: plays.length - SHOWN })}</Typography.Text>}
          {(bulletin.media ?? []).length > 0 && (
            <>
              <h2 className="section-title">{t("detail.media")}</h2>
              <List size="small" dataSource={bulletin.media ?? []} renderItem={(media) => <List.Item><MediaName id={media} /></List.Item>} />
            </>
          )}
        </Col>
        <Col xs={24} lg={9}>
          <Card size="small" title={<h2 className="card-title">{t("detail.history")}</h2>}>
            <History events={events} />
          </Card>
        </Col>
      </Row>
      <Modal
        open={!!asking}
        title={asking ? t(`action.${asking}`) : ""}
        okText={t("action.confirm")}
        cancelText={t("compose.cancel")}
        okButtonProps={{ disabled: reason.trim().length < 3, loading: busy, danger: true }}
        onOk={() => asking && void run(asking, reason.trim())}
        onCancel={() => setAsking(undefined)}
        destroyOnHidden
      >
        <Form layout="vertical">
          <Form.Item label={t("action.reason")} htmlFor="step-reason" extra={t("action.reasonHelp")} required>
            <Input.TextArea id="step-reason" autoFocus rows={3} maxLength={1000} value={reason} onChange={(event) => setReason(event.target.value)} />
          </Form.Item>
        </Form>
        {stepError !== undefined && <Alert type="error" showIcon title={errorMessage(stepError, t)} />}
      </Modal>
    </>
  );
}
