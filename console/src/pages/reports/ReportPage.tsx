/**
 * One report: its pre-filled figures, the narrative the unit writes, the workflow (submit;
 * accept or return with a comment from the unit above), the consolidation of the units below
 * (who is missing or late), its history, and the XLSX/PDF exports (a signed link, opened).
 */
import { App as AntApp, Button, Card, Descriptions, Form, Input, Space, Spin, Table, Tag, Timeline } from "antd";
import { useState } from "react";
import { Link, useParams } from "react-router-dom";

import { ApiError, api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { allows } from "../../auth/permissions";
import { useSession } from "../../auth/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { OutOfScope } from "../../components/OutOfScope";
import { PageHeader } from "../../components/PageHeader";
import { useApi } from "../../components/useApi";
import { formatDate, formatDateTime } from "../../format";
import { useLocale, useT } from "../../i18n";
import { figure } from "../kpis/progress";
import { reportMessages } from "./messages";
import { canReview, canWrite } from "./period";
import { LATE, StatusTag } from "./StatusTag";

type Report = components["schemas"]["Report"];
type Row = components["schemas"]["Row"];
type ChildReport = components["schemas"]["ChildReport"];

const SECTIONS = ["situation", "results", "difficulties", "proposals"] as const;

export default function ReportPage() {
  const { id = "" } = useParams();
  const t = useT(reportMessages);
  const { locale } = useLocale();
  const { user } = useSession();
  const { message } = AntApp.useApp();
  const loaded = useApi(() => ok(api().GET("/reports/{report_id}", { params: { path: { report_id: id } } })), [id]);
  const [report, setReport] = useState<Report>();
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm();
  const shown = report?.id === id ? report : loaded.data;

  async function step(call: () => Promise<Report>, done: string) {
    setBusy(true);
    setFailure(undefined);
    try {
      const next = await call();
      setReport(next);
      form.setFieldsValue(next.narrative);
      void message.success(done);
    } catch (error) {
      setFailure(error);
      if (error instanceof ApiError && error.status === 409) loaded.reload();
    } finally {
      setBusy(false);
    }
  }

  if (loaded.error instanceof ApiError && loaded.error.status === 403) return <OutOfScope unit={id} />;
  if (loaded.error) return <ErrorAlert error={loaded.error} onRetry={loaded.reload} />;
  if (!shown) return <Spin description={t("loading")} />;
  const home = user?.unit ?? "";
  const writable = canWrite(shown, home, allows(user, "reports:write"));
  const reviewable = canReview(shown, home, allows(user, "reports:review"));
  const path = { params: { path: { report_id: shown.id } } };

  async function exportAs(kind: "xlsx" | "pdf") {
    setFailure(undefined);
    try {
      const link = await ok(api().GET("/reports/{report_id}/export", { params: { path: { report_id: shown!.id }, query: { format: kind } } }));
      window.open(link.url, "_blank", "noopener");
    } catch (error) {
      setFailure(error);
    }
  }

  return (
    <>
      <PageHeader
        title={shown.title}
        extra={
          <Space wrap>
            <Button onClick={() => void exportAs("xlsx")}>{t("rp.export", { format: "XLSX" })}</Button>
            <Button onClick={() => void exportAs("pdf")}>{t("rp.export", { format: "PDF" })}</Button>
          </Space>
        }
      />
      <Link to={`/reports?unit=${shown.unit}`}>{t("rp.back")}</Link>
      <Descriptions size="small" bordered column={{ xs: 1, md: 2 }} className="page-card">
        <Descriptions.Item label={t("rp.unit")}>{shown.unit_name}</Descriptions.Item>
        <Descriptions.Item label={t("rp.status")}>
          <StatusTag status={shown.status} />
          {shown.late && <Tag color={LATE}>{t("rp.late")}</Tag>}
        </Descriptions.Item>
        <Descriptions.Item label={t("rp.range")}>
          {formatDate(shown.from, locale)} – {formatDate(shown.to, locale)}
        </Descriptions.Item>
        <Descriptions.Item label={t("rp.due")}>{formatDate(shown.due, locale)}</Descriptions.Item>
        {shown.requested_by && <Descriptions.Item label={t("rp.requestedBy")}>{shown.requested_by.username}</Descriptions.Item>}
      </Descriptions>
      {failure ? <ErrorAlert error={failure} /> : null}

      <h2 className="section-title">{t("rp.figures")}</h2>
      {shown.sections.map((section) => (
        <Table<Row>
          key={section.key}
          size="small"
          rowKey="key"
          title={() => <strong>{section.title}</strong>}
          dataSource={section.rows}
          pagination={false}
          scroll={{ x: true }}
          className="page-card"
          columns={[
            { title: t("rp.item"), dataIndex: "label" },
            { title: t("rp.value"), dataIndex: "value", align: "right", render: (v: number | null) => figure(v, locale) },
            { title: t("rp.measure"), dataIndex: "unit" },
          ]}
        />
      ))}

      <h2 className="section-title">{t("rp.narrative")}</h2>
      <Form
        form={form}
        layout="vertical"
        initialValues={shown.narrative}
        disabled={!writable || busy}
        onFinish={(values) =>
          void step(() => ok(api().PATCH("/reports/{report_id}", { ...path, body: { version: shown.version, narrative: values } })), t("rp.saved"))
        }
      >
        {SECTIONS.map((name) => (
          <Form.Item key={name} name={name} label={t(`rp.${name}`)}>
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 10 }} maxLength={20000} />
          </Form.Item>
        ))}
        {writable && (
          <Space wrap>
            <Button htmlType="submit">{t("rp.save")}</Button>
            <Button
              type="primary"
              onClick={() =>
                void step(async () => {
                  // What was typed is saved first, so nothing is lost by submitting.
                  const saved = await ok(
                    api().PATCH("/reports/{report_id}", { ...path, body: { version: shown.version, narrative: form.getFieldsValue() } }),
                  );
                  return ok(api().POST("/reports/{report_id}/submit", { ...path, body: { version: saved.version } }));
                }, t("rp.submitted"))
              }
            >
              {t("rp.submit")}
            </Button>
          </Space>
        )}
      </Form>

      {reviewable && (
        <Card size="small" className="page-card">
          <Form
            layout="vertical"
            onFinish={(values: { comment: string }) =>
              void step(
                () => ok(api().POST("/reports/{report_id}/return", { ...path, body: { version: shown.version, comment: values.comment } })),
                t("rp.returned"),
              )
            }
          >
            <Form.Item name="comment" label={t("rp.comment")} rules={[{ required: true, min: 3, whitespace: true }]}>
              <Input.TextArea maxLength={2000} />
            </Form.Item>
            <Space wrap>
              <Button
                type="primary"
                loading={busy}
                onClick={() =>
                  void step(() => ok(api().POST("/reports/{report_id}/accept", { ...path, body: { version: shown.version } })), t("rp.accepted"))
                }
              >
                {t("rp.accept")}
              </Button>
              <Button htmlType="submit" loading={busy}>
                {t("rp.return")}
              </Button>
            </Space>
          </Form>
        </Card>
      )}

      {shown.consolidation && <Consolidation report={shown} />}

      {(shown.history ?? []).length > 0 && (
        <>
          <h2 className="section-title">{t("rp.history")}</h2>
          <Timeline
            items={(shown.history ?? []).map((entry) => ({
              children: (
                <>
                  <StatusTag status={entry.action} /> {entry.by.username} · {formatDateTime(entry.at, locale)}
                  {entry.comment && <div className="report-comment">“{entry.comment}”</div>}
                </>
              ),
            }))}
          />
        </>
      )}
    </>
  );
}

function Consolidation({ report }: { report: Report }) {
  const t = useT(reportMessages);
  const { locale } = useLocale();
  const consolidation = report.consolidation!;
  // The totals' names as the report's own rows label them.
  const labels = new Map(report.sections.flatMap((section) => section.rows.map((row) => [row.key, row.label] as const)));
  return (
    <>
      <h2 className="section-title">{t("rp.consolidation")}</h2>
      <Space wrap className="page-card">
        <Tag color="#b91c1c">{t("rp.missing", { count: consolidation.missing.length })}</Tag>
        <Tag color={LATE}>{t("rp.lateCount", { count: consolidation.late.length })}</Tag>
      </Space>
      <Table<ChildReport>
        size="small"
        rowKey="code"
        dataSource={consolidation.children}
        pagination={{ pageSize: 30, hideOnSinglePage: true }}
        scroll={{ x: true }}
        columns={[
          {
            title: t("rp.unit"),
            dataIndex: "name",
            render: (name: string, row) => (row.report_id ? <Link to={`/reports/${row.report_id}`}>{name}</Link> : name),
          },
          {
            title: t("rp.status"),
            dataIndex: "status",
            render: (status: string | null, row) => (
              <Space size={4} wrap>
                <StatusTag status={status} />
                {row.late && <Tag color={LATE}>{t("rp.late")}</Tag>}
              </Space>
            ),
          },
          {
            title: t("rp.submittedAt"),
            dataIndex: "submitted_at",
            render: (at: string | null) => (at ? formatDateTime(at, locale) : "—"),
          },
        ]}
      />
      <Descriptions size="small" bordered column={{ xs: 1, md: 3 }} title={t("rp.totals")} className="page-card">
        {Object.entries(consolidation.totals).map(([name, value]) => (
          <Descriptions.Item key={name} label={labels.get(name) ?? name}>
            {figure(value, locale)}
          </Descriptions.Item>
        ))}
      </Descriptions>
    </>
  );
}
