/** The course's board (diễn đàn trao đổi kinh nghiệm): questions and replies among its learners;
 * the owner unit's admins and approvers hide or delete posts (the API says who may). */
import { Button, Card, Input, List, Space, Typography } from "antd";
import { useState } from "react";

import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { ErrorAlert } from "../../components/ErrorAlert";
import { useApi } from "../../components/useApi";
import { formatDateTime } from "../../format";
import { useLocale, useT } from "../../i18n";
import { trainingMessages } from "./messages";

type Post = components["schemas"]["Post"];

export function Board({ course }: { course: string }) {
  const t = useT(trainingMessages);
  const { locale } = useLocale();
  const posts = useApi(
    () => ok(api().GET("/training/courses/{course_id}/posts", { params: { path: { course_id: course } } })),
    [course],
  );
  const [text, setText] = useState("");
  const [replyTo, setReplyTo] = useState<Post>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  async function act(step: () => Promise<unknown>) {
    setBusy(true);
    setError(undefined);
    try {
      await step();
      posts.reload();
    } catch (reason) {
      setError(reason);
    } finally {
      setBusy(false);
    }
  }

  const send = () =>
    act(async () => {
      await ok(
        api().POST("/training/courses/{course_id}/posts", {
          params: { path: { course_id: course } },
          body: { text, reply_to: replyTo?.id ?? null },
        }),
      );
      setText("");
      setReplyTo(undefined);
    });
  const path = (post: Post) => ({ params: { path: { course_id: course, post_id: post.id } } });
  const hide = (post: Post) => act(() => ok(api().POST("/training/courses/{course_id}/posts/{post_id}/hide", path(post))));
  const remove = (post: Post) => act(() => ok(api().DELETE("/training/courses/{course_id}/posts/{post_id}", path(post))));

  const all = posts.data?.items ?? [];
  const moderator = posts.data?.may_moderate ?? false;
  const threads = all.filter((p) => !p.reply_to || !all.some((q) => q.id === p.reply_to));
  const replies = (post: Post) => all.filter((p) => p.reply_to === post.id);
  const show = (post: Post) => (
    <Space direction="vertical" size={2} style={{ width: "100%" }}>
      <Typography.Text type="secondary" className="small-text">
        {post.author} · {formatDateTime(post.created_at, locale)}
        {post.hidden ? ` · ${t("tr.hidden")}` : ""}
      </Typography.Text>
      <Typography.Paragraph style={{ whiteSpace: "pre-wrap", marginBottom: 0 }}>
        {post.hidden && !post.text ? t("tr.hiddenText") : post.text}
      </Typography.Paragraph>
      <Space wrap size={4}>
        <Button size="small" type="link" onClick={() => setReplyTo(post)}>
          {t("tr.reply")}
        </Button>
        {moderator && !post.hidden && (
          <Button size="small" onClick={() => hide(post)}>
            {t("tr.hide")}
          </Button>
        )}
        {moderator && (
          <Button size="small" danger onClick={() => remove(post)}>
            {t("tr.delete")}
          </Button>
        )}
      </Space>
    </Space>
  );

  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      {posts.error ? <ErrorAlert error={posts.error} onRetry={posts.reload} /> : null}
      <List
        loading={posts.loading}
        dataSource={threads}
        locale={{ emptyText: <Typography.Text>{t("tr.noPosts")}</Typography.Text> }}
        renderItem={(post) => (
          <List.Item key={post.id}>
            <Card size="small" style={{ width: "100%" }}>
              {show(post)}
              {replies(post).map((reply) => (
                <div key={reply.id} className="board-reply">
                  {show(reply)}
                </div>
              ))}
            </Card>
          </List.Item>
        )}
      />
      {error !== undefined && <ErrorAlert error={error} />}
      <label htmlFor="board-text">{replyTo ? t("tr.replyTo", { author: replyTo.author }) : t("tr.ask")}</label>
      <Input.TextArea id="board-text" rows={3} maxLength={4000} value={text} onChange={(e) => setText(e.target.value)} />
      <Space>
        <Button type="primary" onClick={send} loading={busy} disabled={!text.trim()}>
          {t("tr.send")}
        </Button>
        {replyTo && <Button onClick={() => setReplyTo(undefined)}>{t("tr.cancelReply")}</Button>}
      </Space>
    </Space>
  );
}
