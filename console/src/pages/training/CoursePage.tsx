/** One course: its lessons (text, document, audio, video from the media library) with progress,
 * and its quiz — shuffled by the server, answered here, graded by the server. */
import { Alert, Button, Card, Descriptions, List, Space, Spin, Tag, Typography } from "antd";
import { useState } from "react";
import { Link, useParams } from "react-router-dom";

import { api, ApiError, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { ErrorAlert } from "../../components/ErrorAlert";
import { OutOfScope } from "../../components/OutOfScope";
import { PageHeader } from "../../components/PageHeader";
import { useApi } from "../../components/useApi";
import { formatNumber } from "../../format";
import { useLocale, useT } from "../../i18n";
import { trainingMessages } from "./messages";
import { Board } from "./Board";
import { QuizForm } from "./QuizForm";

type LessonView = components["schemas"]["LessonView"];
type AttemptView = components["schemas"]["AttemptView"];
type AttemptResult = components["schemas"]["AttemptResult"];

function LessonBody({ lesson }: { lesson: LessonView }) {
  const t = useT(trainingMessages);
  const media = lesson.media;
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      {lesson.text && <Typography.Paragraph style={{ whiteSpace: "pre-wrap" }}>{lesson.text}</Typography.Paragraph>}
      {media && !media.url && <Typography.Text type="secondary">{t("tr.media.unavailable")}</Typography.Text>}
      {media?.url && lesson.kind === "audio" && (
        <audio controls preload="none" src={media.url} aria-label={lesson.title} style={{ width: "100%" }} />
      )}
      {media?.url && lesson.kind === "video" && (
        <video controls preload="none" src={media.url} aria-label={lesson.title} style={{ width: "100%", maxHeight: 360 }} />
      )}
      {media?.url && lesson.kind === "document" && (
        <a href={media.url} target="_blank" rel="noreferrer">
          {t("tr.media.document")}
        </a>
      )}
    </Space>
  );
}

export default function CoursePage() {
  const { id = "" } = useParams();
  const t = useT(trainingMessages);
  const { locale } = useLocale();
  const course = useApi(() => ok(api().GET("/training/courses/{course_id}", { params: { path: { course_id: id } } })), [id]);
  const [attempt, setAttempt] = useState<AttemptView>();
  const [result, setResult] = useState<AttemptResult>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function act(step: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    try {
      await step();
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  }

  const markDone = (lesson: string) =>
    act(async () => {
      await ok(
        api().POST("/training/courses/{course_id}/lessons/{lesson_id}/done", {
          params: { path: { course_id: id, lesson_id: lesson } },
        }),
      );
      course.reload();
    });

  const start = () =>
    act(async () => {
      setResult(undefined);
      setAttempt(await ok(api().POST("/training/courses/{course_id}/attempts", { params: { path: { course_id: id } } })));
    });

  const submit = (answers: Record<string, number[]>) =>
    act(async () => {
      if (!attempt) return;
      const graded = await ok(
        api().POST("/training/courses/{course_id}/attempts/{number}/submit", {
          params: { path: { course_id: id, number: attempt.number } },
          body: { answers },
        }),
      );
      setResult(graded);
      setAttempt(undefined);
      course.reload();
    });

  if (course.error instanceof ApiError && course.error.status === 403) return <OutOfScope unit={id} />;
  if (course.error) return <ErrorAlert error={course.error} onRetry={course.reload} />;
  const data = course.data;
  if (!data) return <Spin description={t("loading")} />;
  const enrolment = data.enrolment;
  const done = enrolment?.lessons_done.length ?? 0;
  const completed = enrolment?.status === "completed";

  return (
    <>
      <PageHeader title={data.title} extra={<Link to="/training">{t("tr.back")}</Link>} />
      <Descriptions size="small" bordered column={{ xs: 1, md: 3 }}>
        <Descriptions.Item label={t("tr.provider")}>{data.provider}</Descriptions.Item>
        <Descriptions.Item label={t("tr.hours")}>{formatNumber(data.hours, locale)}</Descriptions.Item>
        <Descriptions.Item label={t("tr.level")}>{t(`tr.level.${data.level}`)}</Descriptions.Item>
      </Descriptions>
      {data.description && <Typography.Paragraph style={{ marginTop: 12 }}>{data.description}</Typography.Paragraph>}

      <h2 className="section-title">{t("tr.lessons")}</h2>
      <Typography.Text>{t("tr.progress", { done, total: data.lesson_list.length })}</Typography.Text>
      <List
        dataSource={data.lesson_list}
        renderItem={(lesson, n) => (
          <List.Item key={lesson.id}>
            <Card
              size="small"
              style={{ width: "100%" }}
              title={<h3 className="lesson-title">{`${n + 1}. ${lesson.title}`}</h3>}
              extra={
                lesson.done ? (
                  <Tag color="#166534">{t("tr.done")}</Tag>
                ) : (
                  <Button size="small" onClick={() => markDone(lesson.id)}>
                    {t("tr.markDone")}
                  </Button>
                )
              }
            >
              <LessonBody lesson={lesson} />
            </Card>
          </List.Item>
        )}
      />

      {data.quiz && (
        <>
          <h2 className="section-title">{t("tr.quiz")}</h2>
          <Space direction="vertical" style={{ width: "100%" }}>
            <Typography.Text>
              {t("tr.quizInfo", {
                questions: data.quiz.questions,
                pass: data.quiz.pass_mark,
                attempts: data.quiz.attempts_limit,
              })}
            </Typography.Text>
            {enrolment && (
              <Typography.Text type="secondary">
                {t("tr.attemptsUsed", { used: enrolment.attempts_used, limit: data.quiz.attempts_limit })}
              </Typography.Text>
            )}
            {result && (
              <Alert
                role="status"
                type={result.passed ? "success" : "warning"}
                title={
                  result.passed
                    ? t("tr.passed", { score: result.score, pass: result.pass_mark })
                    : t("tr.failed", { score: result.score, pass: result.pass_mark, left: result.attempts_left })
                }
              />
            )}
            {error !== undefined && <ErrorAlert error={error} />}
            {completed && !result && <Alert type="success" title={t("tr.completed")} />}
            {attempt ? (
              <QuizForm attempt={attempt} busy={busy} onSubmit={submit} />
            ) : (
              !completed && (
                <Button type="primary" onClick={start} loading={busy}>
                  {enrolment?.attempts_used ? t("tr.continue") : t("tr.start")}
                </Button>
              )
            )}
          </Space>
        </>
      )}

      <h2 className="section-title">{t("tr.board")}</h2>
      <Board course={id} />
    </>
  );
}
