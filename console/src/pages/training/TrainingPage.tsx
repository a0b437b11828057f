/** Training: the courses for the user's unit, the user's own courses and records, and the unit's
 * district and commune staff trained or not (with the CSV import for those who record training). */
import { Space, Table, Tabs, Tag, Typography } from "antd";
import { Link } from "react-router-dom";

import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { allows } from "../../auth/permissions";
import { useSession } from "../../auth/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { useApi } from "../../components/useApi";
import { formatDate, formatNumber } from "../../format";
import { useLocale, useT } from "../../i18n";
import { ImportCard } from "./ImportCard";
import { trainingMessages } from "./messages";
import { RecordsTable } from "./RecordsTable";

type CourseSummary = components["schemas"]["CourseSummary"];
type EnrolmentView = components["schemas"]["EnrolmentView"];
type StaffStatus = components["schemas"]["StaffStatus"];

function Courses() {
  const t = useT(trainingMessages);
  const { locale } = useLocale();
  const courses = useApi(() => ok(api().GET("/training/courses", {})), []);
  if (courses.error) return <ErrorAlert error={courses.error} onRetry={courses.reload} />;
  return (
    <Table<CourseSummary>
      size="small"
      rowKey="id"
      loading={courses.loading}
      dataSource={courses.data?.items}
      pagination={{ pageSize: 25, hideOnSinglePage: true }}
      scroll={{ x: 760 }}
      locale={{ emptyText: <Typography.Text>{t("tr.noCourses")}</Typography.Text> }}
      columns={[
        {
          title: t("tr.course"),
          render: (_: unknown, course) => <Link to={`/training/courses/${course.id}`}>{course.title}</Link>,
        },
        { title: t("tr.provider"), dataIndex: "provider" },
        { title: t("tr.hours"), width: 80, render: (_: unknown, c) => formatNumber(c.hours, locale) },
        { title: t("tr.level"), width: 150, render: (_: unknown, c) => t(`tr.level.${c.level}`) },
        { title: t("tr.mode"), width: 110, render: (_: unknown, c) => t(`tr.mode.${c.mode}`) },
        { title: t("tr.lessons"), width: 90, render: (_: unknown, c) => t("tr.lessonsCount", { count: c.lessons }) },
      ]}
    />
  );
}

function Mine() {
  const t = useT(trainingMessages);
  const { locale } = useLocale();
  const mine = useApi(() => ok(api().GET("/training/me", {})), []);
  if (mine.error) return <ErrorAlert error={mine.error} onRetry={mine.reload} />;
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <h2 className="section-title">{t("tr.myCourses")}</h2>
      <Table<EnrolmentView>
        size="small"
        rowKey="course_id"
        loading={mine.loading}
        dataSource={mine.data?.enrolments}
        pagination={false}
        scroll={{ x: 520 }}
        locale={{ emptyText: <Typography.Text>{t("tr.noEnrolments")}</Typography.Text> }}
        columns={[
          {
            title: t("tr.course"),
            render: (_: unknown, e) => <Link to={`/training/courses/${e.course_id}`}>{e.course_title ?? e.course_id}</Link>,
          },
          {
            title: t("tr.status"),
            width: 140,
            render: (_: unknown, e) => (
              <Tag color={e.status === "completed" ? "#166534" : "#1d4ed8"}>{t(`tr.status.${e.status}`)}</Tag>
            ),
          },
          {
            title: t("tr.completedOn"),
            width: 130,
            render: (_: unknown, e) => (e.completed_at ? formatDate(e.completed_at, locale) : "—"),
          },
        ]}
      />
      <h2 className="section-title">{t("tr.records")}</h2>
      <RecordsTable records={mine.data?.records} loading={mine.loading} />
    </Space>
  );
}

function UnitStaff({ unit }: { unit: string }) {
  const t = useT(trainingMessages);
  const { user } = useSession();
  const staff = useApi(() => ok(api().GET("/training/staff", { params: { query: { unit } } })), [unit]);
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <h2 className="section-title">{t("tr.staffTitle")}</h2>
      {staff.error ? (
        <ErrorAlert error={staff.error} onRetry={staff.reload} />
      ) : (
        <>
          {staff.data && (
            <Typography.Text strong>
              {t("tr.staffSummary", { trained: staff.data.trained, total: staff.data.total })}
            </Typography.Text>
          )}
          <Table<StaffStatus>
            size="small"
            rowKey="username"
            loading={staff.loading}
            dataSource={staff.data?.items}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            scroll={{ x: 560 }}
            columns={[
              { title: t("tr.name"), dataIndex: "name" },
              { title: t("tr.username"), dataIndex: "username", width: 150 },
              { title: t("tr.unitName"), dataIndex: "unit_name" },
              {
                title: t("tr.status"),
                width: 130,
                render: (_: unknown, s) =>
                  s.trained ? <Tag color="#166534">{t("tr.trained")}</Tag> : <Tag color="#9a3412">{t("tr.notTrained")}</Tag>,
              },
            ]}
          />
        </>
      )}
      {allows(user, "training:manage") && <ImportCard unit={unit} onImported={staff.reload} />}
    </Space>
  );
}

export default function TrainingPage() {
  const t = useT(trainingMessages);
  const { user } = useSession();
  const unit = user?.unit ?? "";
  return (
    <>
      <PageHeader title={t("tr.title")} />
      <Tabs
        items={[
          { key: "courses", label: t("tr.courses"), children: <Courses /> },
          { key: "mine", label: t("tr.mine"), children: <Mine /> },
          { key: "unit", label: t("tr.unit"), children: <UnitStaff unit={unit} /> },
        ]}
      />
    </>
  );
}
