/**
 * One report and its handling: acknowledge, assign, answer (publicly and/or privately), resolve,
 * internal notes, and every step. A stale version reloads the report and keeps the typed text.
 */
import { App, Button, Card, Checkbox, Descriptions, Input, Space, Spin, Tag, Timeline, Typography } from "antd";
import { useId, useState } from "react";
import { Link, useParams } from "react-router-dom";

import { api, ApiError, ok } from "../../api/client";
import { allows } from "../../auth/permissions";
import { useSession } from "../../auth/session";
import { ErrorAlert, errorMessage } from "../../components/ErrorAlert";
import { OutOfScope } from "../../components/OutOfScope";
import { PageHeader } from "../../components/PageHeader";
import { UnitPicker } from "../../components/UnitPicker";
import { useApi } from "../../components/useApi";
import { formatDateTime } from "../../format";
import { useLocale, useT } from "../../i18n";
import { STATUS_COLOUR } from "./FeedbackInboxPage";
import { feedbackMessages } from "./messages";

export default function FeedbackPage() {
  const { code = "" } = useParams();
  const t = useT(feedbackMessages);
  const { locale } = useLocale();
  const { message } = App.useApp();
  const { user } = useSession();
  const ids = { pub: useId(), priv: useId(), note: useId(), dept: useId() };
  const report = useApi(() => ok(api().GET("/feedback/{feedback_id}", { params: { path: { feedback_id: code } } })), [code]);
  const history = useApi(
    () => ok(api().GET("/feedback/{feedback_id}/history", { params: { path: { feedback_id: code } } })),
    [code],
  );
  const [publicAnswer, setPublicAnswer] = useState("");
  const [privateAnswer, setPrivateAnswer] = useState("");
  const [publish, setPublish] = useState(false);
  const [note, setNote] = useState("");
  const [unit, setUnit] = useState<string>();
  const [department, setDepartment] = useState("");
  const [busy, setBusy] = useState(false);

  if (report.error instanceof ApiError && report.error.status === 403) return <OutOfScope unit={code} />;
  if (report.error) return <ErrorAlert error={report.error} onRetry={report.reload} />;
  if (!report.data) return <Spin description={t("loading")} />;
  const view = report.data;
  const item = view.report;
  const handler = allows(user, "feedback:handle");
  const version = item.version ?? 1;
  const path = { params: { path: { feedback_id: item.id } } };

  const act = async (step: () => Promise<unknown>, after?: () => void) => {
    setBusy(true);
    try {
      await step();
      message.success(t("fb.done"));
      after?.();
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) message.warning(t("fb.stale"));
      else message.error(errorMessage(error, t));
    } finally {
      setBusy(false);
      report.reload();
      history.reload();
    }
  };

  return (
    <>
      <PageHeader title={t("fb.detail", { code: item.id })} />
      <Descriptions size="small" bordered column={{ xs: 1, md: 2 }} className="page-card">
        <Descriptions.Item label={t("fb.status")}>
          <Space size={4} wrap>
            <Tag color={STATUS_COLOUR[item.status]}>{t(`fb.status.${item.status}`)}</Tag>
            {view.overdue && <Tag color="#7f1d1d">{t("fb.overdue")}</Tag>}
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label={t("fb.category")}>
          {t(`fb.kind.${item.kind}`)} · {item.category}
        </Descriptions.Item>
        <Descriptions.Item label={t("fb.channel")}>{t(`fb.channel.${item.channel}`)}</Descriptions.Item>
        <Descriptions.Item label={t("fb.unit")}>
          <Link to={`/units/${item.unit}`}>{item.unit}</Link>
          {item.department ? ` · ${item.department}` : ""}
        </Descriptions.Item>
        <Descriptions.Item label={t("fb.received")}>{formatDateTime(item.received_at, locale)}</Descriptions.Item>
        <Descriptions.Item label={t("fb.due")}>{formatDateTime(item.answer_due, locale)}</Descriptions.Item>
        <Descriptions.Item label={t("fb.location")}>
          {item.address ?? (item.point ? `${item.point.lat.toFixed(5)}, ${item.point.lon.toFixed(5)}` : item.located_unit)}
        </Descriptions.Item>
        <Descriptions.Item label={t("fb.contact")}>
          {view.contact
            ? [view.contact.name, view.contact.phone, view.contact.email].filter(Boolean).join(" · ")
            : t("fb.noContact")}
        </Descriptions.Item>
        <Descriptions.Item label={t("fb.description")} span={2}>
          <Typography.Paragraph className="pre-wrap">{item.description}</Typography.Paragraph>
        </Descriptions.Item>
        {item.public_answer && (
          <Descriptions.Item label={t("fb.publicAnswer")} span={2}>
            {item.public_answer}
          </Descriptions.Item>
        )}
        {(view.duplicates ?? []).length > 0 && (
          <Descriptions.Item label={t("fb.duplicates")} span={2}>
            <Space wrap>
              {(view.duplicates ?? []).map((other) => (
                <Link key={other} to={`/feedback/${other}`}>
                  {other}
                </Link>
              ))}
            </Space>
          </Descriptions.Item>
        )}
      </Descriptions>

      {handler && (
        <Card size="small" className="page-card" title={<h2 className="card-title">{t("fb.answer")}</h2>}>
          <Space direction="vertical" style={{ width: "100%" }}>
            <Space wrap>
              {(item.status === "received" || item.status === "reopened") && (
                <Button
                  loading={busy}
                  onClick={() =>
                    void act(() => ok(api().POST("/feedback/{feedback_id}/acknowledge", { ...path, body: { version } })))
                  }
                >
                  {t("fb.acknowledge")}
                </Button>
              )}
              {item.status === "answered" && (
                <Button
                  loading={busy}
                  onClick={() => void act(() => ok(api().POST("/feedback/{feedback_id}/resolve", { ...path, body: { version } })))}
                >
                  {t("fb.resolve")}
                </Button>
              )}
            </Space>
            <label htmlFor={ids.pub}>{t("fb.publicAnswer")}</label>
            <Input.TextArea id={ids.pub} rows={3} maxLength={4000} value={publicAnswer} onChange={(e) => setPublicAnswer(e.target.value)} />
            <label htmlFor={ids.priv}>{t("fb.privateAnswer")}</label>
            <Input.TextArea id={ids.priv} rows={2} maxLength={4000} value={privateAnswer} onChange={(e) => setPrivateAnswer(e.target.value)} />
            {item.kind === "question" && (
              <Checkbox checked={publish} onChange={(e) => setPublish(e.target.checked)}>
                {t("fb.publish")}
              </Checkbox>
            )}
            <Button
              type="primary"
              loading={busy}
              disabled={!publicAnswer.trim() && !privateAnswer.trim()}
              onClick={() =>
                void act(
                  () =>
                    ok(
                      api().POST("/feedback/{feedback_id}/answer", {
                        ...path,
                        body: {
                          version,
                          public_answer: publicAnswer.trim() || null,
                          private_answer: privateAnswer.trim() || null,
                          publish,
                        },
                      }),
                    ),
                  () => {
                    setPublicAnswer("");
                    setPrivateAnswer("");
                  },
                )
              }
            >
              {t("fb.answer")}
            </Button>
            <Space wrap align="end">
              <UnitPicker label={t("fb.assignUnit")} value={unit} onChange={setUnit} />
              <label htmlFor={ids.dept}>{t("fb.department")}</label>
              <Input id={ids.dept} style={{ width: 200 }} value={department} onChange={(e) => setDepartment(e.target.value)} />
              <Button
                loading={busy}
                disabled={!unit && !department.trim()}
                onClick={() =>
                  void act(() =>
                    ok(
                      api().POST("/feedback/{feedback_id}/assign", {
                        ...path,
                        body: { version, unit: unit ?? null, department: department.trim() || null },
                      }),
                    ),
                  )
                }
              >
                {t("fb.assign")}
              </Button>
            </Space>
            <label htmlFor={ids.note}>{t("fb.note")}</label>
            <Input.TextArea id={ids.note} rows={2} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
            <Button
              loading={busy}
              disabled={!note.trim()}
              onClick={() =>
                void act(
                  () => ok(api().POST("/feedback/{feedback_id}/notes", { ...path, body: { text: note.trim() } })),
                  () => setNote(""),
                )
              }
            >
              {t("fb.addNote")}
            </Button>
          </Space>
        </Card>
      )}

      {(item.notes ?? []).length > 0 && (
        <Card size="small" className="page-card" title={<h2 className="card-title">{t("fb.notes")}</h2>}>
          <ul className="plain-list">
            {(item.notes ?? []).map((entry, index) => (
              <li key={index}>
                <Typography.Text type="secondary">
                  {formatDateTime(entry.at, locale)} · {entry.actor.username}:
                </Typography.Text>{" "}
                {entry.text}
              </li>
            ))}
          </ul>
        </Card>
      )}

      <h2 className="section-title">{t("fb.history")}</h2>
      {history.error ? (
        <ErrorAlert error={history.error} onRetry={history.reload} />
      ) : (
        <Timeline
          items={(history.data?.items ?? []).map((event) => ({
            key: event.seq,
            content: (
              <span>
                {formatDateTime(event.at, locale)} — {t(`fb.action.${event.action}`)}
                {event.actor ? ` · ${event.actor.username}` : ""}
              </span>
            ),
          }))}
        />
      )}
    </>
  );
}
