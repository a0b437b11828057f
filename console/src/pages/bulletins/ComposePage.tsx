/**
 * Compose a bulletin, or edit a draft or rejected one: the text with its reading and voice
 * preview beside it, the areas, channels, schedule (with its plays), attachments; save or submit.
 * A stale save (409) keeps the person's text, shows who changed what, and merges on request.
 */
import "./bulletins.css";
import { Alert, Button, Checkbox, Col, Form, Input, InputNumber, Row, Select, Space, Spin, App as AntApp } from "antd";
import { useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";

import { api, ApiError, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { allows } from "../../auth/permissions";
import { useSession } from "../../auth/session";
import { errorMessage } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { formatDateTime } from "../../format";
import { useLocale, useT } from "../../i18n";
import type { AuditEvent, BulletinView } from "./actions";
import { CATEGORIES, CHANNELS, fromBulletin, newDraft, PRIORITIES, toContent, toSchedule } from "./draft";
import type { Draft } from "./draft";
import { MediaUpload } from "./MediaUpload";
import { mergeDraft } from "./merge";
import { bulletinMessages } from "./messages";
import { useBulletinsArea } from "./parts";
import { scheduleProblem } from "./schedule";
import { SchedulePicker } from "./SchedulePicker";
import { SpeechPreview } from "./SpeechPreview";
import { UnitPicker } from "../../components/UnitPicker";

type Content = components["schemas"]["BulletinContent"];
type Field = keyof Draft;

interface Stale {
  current: BulletinView;
  events: AuditEvent[];
}

export default function ComposePage() {
  const { id } = useParams();
  useBulletinsArea();
  const t = useT(bulletinMessages);
  const { locale } = useLocale();
  const { user } = useSession();
  const navigate = useNavigate();
  const { message } = AntApp.useApp();
  const [draft, setDraft] = useState<Draft>(() => newDraft(user?.unit ?? ""));
  const [base, setBase] = useState<Draft>(draft);
  const [version, setVersion] = useState<number>();
  const [loadError, setLoadError] = useState<unknown>();
  const [loading, setLoading] = useState(!!id);
  const [notEditable, setNotEditable] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>();
  const [stale, setStale] = useState<Stale>();
  const [theirs, setTheirs] = useState<Partial<Draft>>({});
  const [merged, setMerged] = useState<number>();

  useEffect(() => {
    if (!id) return;
    ok(api().GET("/bulletins/{bulletin_id}", { params: { path: { bulletin_id: id } } })).then(
      (bulletin) => {
        const loaded = fromBulletin(bulletin);
        setDraft(loaded);
        setBase(loaded);
        setVersion(bulletin.version);
        setNotEditable(!["draft", "rejected"].includes(bulletin.status));
        setLoading(false);
      },
      (problem: unknown) => {
        setLoadError(problem);
        setLoading(false);
      },
    );
  }, [id]);

  if (!user) return null;
  const title = t(id ? "compose.edit" : "compose.new");
  if (!allows(user, "bulletins:compose"))
    return (
      <>
        <PageHeader title={title} />
        <Alert type="info" showIcon title={t("compose.noRight")} />
      </>
    );
  if (loading) return <Spin description={t("loading")} />;
  if (loadError) return (<><PageHeader title={title} /><Alert type="error" showIcon title={errorMessage(loadError, t)} /></>);

  const set = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));
  const complete =
    draft.title.trim() && draft.body.trim() && draft.targets.length > 0 && draft.channels.length > 0 && !scheduleProblem(toSchedule(draft.schedule));

  const staleNow = async () => {
    if (!id) return;
    const [current, events] = await Promise.all([
      ok(api().GET("/bulletins/{bulletin_id}", { params: { path: { bulletin_id: id } } })),
      ok(api().GET("/bulletins/{bulletin_id}/history", { params: { path: { bulletin_id: id } } })),
    ]);
    setStale({ current, events: events.filter((event) => event.version > (version ?? 0)) });
  };

  const save = async (submit: boolean) => {
    setSaving(true);
    setError(undefined);
    try {
      const content = toContent(draft) as unknown as Content;
      let saved: BulletinView;
      if (id && version !== undefined) {
        saved = await ok(
          api().PATCH("/bulletins/{bulletin_id}", { params: { path: { bulletin_id: id } }, body: { ...content, version } as never }),
        );
      } else {
        saved = await ok(api().POST("/bulletins", { body: content as never }));
      }
      if (submit)
        saved = await ok(
          api().POST("/bulletins/{bulletin_id}/submit", { params: { path: { bulletin_id: saved.id } }, body: { version: saved.version } }),
        );
      message.success(t(submit ? "compose.submitted" : "compose.saved"));
      navigate(`/bulletins/${saved.id}`);
    } catch (problem) {
      if (problem instanceof ApiError && problem.status === 409 && problem.code === "stale_version") await staleNow().catch(setError);
      else setError(problem);
    } finally {
      setSaving(false);
    }
  };

  const reloadKeepingMine = () => {
    if (!stale) return;
    const server = fromBulletin(stale.current);
    const { merged: next, conflicts } = mergeDraft(base, draft, server);
    setDraft(next);
    setBase(server);
    setVersion(stale.current.version);
    setTheirs(Object.fromEntries(conflicts.map((field) => [field, server[field]])));
    setMerged(stale.current.version);
    setStale(undefined);
  };

  const beside = (field: Field) =>
    field in theirs && (
      <Alert
        type="warning"
        className="bulletin-theirs"
        title={t("stale.theirs")}
        description={<span className="bulletin-pre">{typeof theirs[field] === "string" ? String(theirs[field]) : JSON.stringify(theirs[field])}</span>}
        action={
          <Button size="small" onClick={() => (set({ [field]: theirs[field] } as Partial<Draft>), setTheirs(({ [field]: _, ...rest }) => rest))}>
            {t("stale.useTheirs")}
          </Button>
        }
      />
    );

  if (notEditable)
    return (
      <>
        <PageHeader title={title} />
        <Alert type="info" showIcon title={t("compose.notEditable")} action={<Link to={`/bulletins/${id}`}>{t("action.edit")}</Link>} />
      </>
    );

  return (
    <>
      <PageHeader title={title} />
      {stale && (
        <Alert
          type="warning"
          showIcon
          role="alert"
          className="bulletin-block"
          title={t("stale.title")}
          description={
            <>
              <p>{t("stale.body", { mine: version ?? "?", current: stale.current.version })}</p>
              <ul>
                {stale.events.map((event) => (
                  <li key={event.seq}>
                    {t("stale.changes", {
                      who: event.actor.username,
                      at: formatDateTime(event.at, locale),
                      fields: Object.keys(event.changes ?? {}).map((name) => (name in draft ? t(`field.${name as Field}`) : name)).join(", ") || t(`history.${event.action}`),
                    })}
                  </li>
                ))}
              </ul>
            </>
          }
          action={<Button type="primary" onClick={reloadKeepingMine}>{t("stale.reload")}</Button>}
        />
      )}
      {merged !== undefined && <Alert type="info" showIcon className="bulletin-block" title={t("stale.merged", { version: merged })} closable />}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={15}>
          <Form layout="vertical" onSubmitCapture={(event) => event.preventDefault()}>
            <Form.Item label={t("compose.titleField")} htmlFor="bulletin-title" required>
              <Input id="bulletin-title" value={draft.title} maxLength={200} onChange={(event) => set({ title: event.target.value })} />
            </Form.Item>
            {beside("title")}
            <Form.Item label={t("compose.body")} htmlFor="bulletin-body" required>
              <Input.TextArea id="bulletin-body" value={draft.body} rows={7} maxLength={10000} showCount onChange={(event) => set({ body: event.target.value })} />
            </Form.Item>
            {beside("body")}
            <Row gutter={12}>
              <Col xs={24} sm={12}>
                <Form.Item label={t("compose.category")} htmlFor="bulletin-category">
                  <Select id="bulletin-category" value={draft.category} onChange={(category) => set({ category })} options={CATEGORIES.map((value) => ({ value, label: t(`category.${value}`) }))} />
                </Form.Item>
              </Col>
              <Col xs={24} sm={12}>
                <Form.Item label={t("compose.priority")} htmlFor="bulletin-priority">
                  <Select id="bulletin-priority" value={draft.priority} onChange={(priority) => set({ priority })} options={PRIORITIES.map((value) => ({ value, label: t(`priority.${value}`) }))} />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item label={t("compose.targets")} htmlFor="bulletin-targets" extra={t("compose.targetsHelp")} required>
              <UnitPicker id="bulletin-targets" multiple value={draft.targets} onChange={(targets) => set({ targets })} />
            </Form.Item>
            {beside("targets")}
            <Form.Item label={t("compose.channels")} required>
              <Checkbox.Group
                aria-label={t("compose.channels")}
                value={draft.channels}
                onChange={(channels) => set({ channels: channels as string[] })}
                options={CHANNELS.map((value) => ({ value, label: t(`channel.${value}`) }))}
              />
            </Form.Item>
            {draft.priority !== "normal" && (
              <Form.Item label={t("compose.repeat")}>
                <Space wrap>
                  <Checkbox checked={!!draft.repeat} onChange={(event) => set({ repeat: event.target.checked ? { count: 3, interval_min: 10 } : null })}>
                    {t("compose.repeat")}
                  </Checkbox>
                  {draft.repeat && (
                    <>
                      <InputNumber aria-label={t("compose.repeatCount")} addonBefore={t("compose.repeatCount")} min={1} max={10} value={draft.repeat.count} onChange={(count) => set({ repeat: { ...draft.repeat!, count: count ?? 1 } })} />
                      <InputNumber aria-label={t("compose.repeatInterval")} addonBefore={t("compose.repeatInterval")} min={1} max={180} value={draft.repeat.interval_min} onChange={(interval) => set({ repeat: { ...draft.repeat!, interval_min: interval ?? 1 } })} />
                    </>
                  )}
                </Space>
              </Form.Item>
            )}
            <SchedulePicker value={draft.schedule} onChange={(schedule) => set({ schedule })} priority={draft.priority} repeat={draft.repeat} />
            {beside("schedule")}
            <MediaUpload value={draft.media} onChange={(media) => set({ media })} />
            {error !== undefined && <ProblemAlert error={error} />}
            {!complete && <Alert type="info" showIcon className="bulletin-block" title={t("compose.missing")} />}
            <Space wrap className="bulletin-actions">
              <Button onClick={() => void save(false)} loading={saving} disabled={!complete}>
                {t("compose.save")}
              </Button>
              <Button type="primary" onClick={() => void save(true)} loading={saving} disabled={!complete}>
                {t("compose.saveSubmit")}
              </Button>
              <Link to={id ? `/bulletins/${id}` : "/bulletins"}>{t("compose.cancel")}</Link>
            </Space>
          </Form>
        </Col>
        <Col xs={24} lg={9}>
          <SpeechPreview text={[draft.title.trim(), draft.body.trim()].filter(Boolean).join(". ")} />
        </Col>
      </Row>
    </>
  );
}

/** An API refusal with the field problems it names (422 details carry a message each). */
export function ProblemAlert({ error }: { error: unknown }) {
  const t = useT(bulletinMessages);
  const details = error instanceof ApiError ? ((error.details ?? []) as { message?: string; msg?: string; loc?: unknown[] }[]) : [];
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      className="bulletin-block"
      title={errorMessage(error, t)}
      description={
        details.length > 0 && (
          <ul>
            {details.map((detail, index) => (
              <li key={index}>{detail.message ?? detail.msg ?? JSON.stringify(detail.loc)}</li>
            ))}
          </ul>
        )
      }
    />
  );
}
