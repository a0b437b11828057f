/**
 * Bulletins waiting for this approver: pending in their area (GET /bulletins?status=pending, the
 * area's list), less their own (nobody approves their own). Refreshes every 30 s.
 */
import "./bulletins.css";
import { Alert, Button, List, Space, Spin, Typography } from "antd";
import { Link } from "react-router-dom";

import { api, ok } from "../../api/client";
import { allows } from "../../auth/permissions";
import { useSession } from "../../auth/session";
import { ErrorAlert } from "../../components/ErrorAlert";
import { PageHeader } from "../../components/PageHeader";
import { useApi } from "../../components/useApi";
import { formatDateTime } from "../../format";
import { useLocale, useT } from "../../i18n";
import type { BulletinView } from "./actions";
import { bulletinMessages } from "./messages";
import { PriorityTag, UnitName, useBulletinsArea } from "./parts";


async function waiting(username: string): Promise<BulletinView[]> {
  const found: BulletinView[] = [];
  let next: string | null | undefined;
  do {
    const page = await ok(api().GET("/bulletins", { params: { query: { status: "pending", limit: 100, next: next ?? undefined } } }));
    found.push(...page.items.filter((item) => item.author.username !== username));
    next = page.next;
  } while (next && found.length < 200);
  const rank = { emergency: 0, priority: 1, normal: 2 } as Record<string, number>;
  return found.sort((a, b) => rank[a.priority ?? "normal"] - rank[b.priority ?? "normal"] || (a.submitted_at ?? "").localeCompare(b.submitted_at ?? ""));
}

export default function ApprovalsPage() {
  useBulletinsArea();
  const t = useT(bulletinMessages);
  const { locale } = useLocale();
  const { user } = useSession();
  const { data, error, loading, reload } = useApi(() => waiting(user?.username ?? ""), [user?.username], 30_000);

  if (!user) return null;
  const header = (
    <PageHeader
      title={t("approvals.title")}
      extra={
        <Button onClick={reload} loading={loading}>
          {t("approvals.refresh")}
        </Button>
      }
    />
  );
  if (!allows(user, "bulletins:approve"))
    return (
      <>
        {header}
        <Alert type="info" showIcon title={t("approvals.empty")} />
      </>
    );
  return (
    <>
      {header}
      <Typography.Paragraph type="secondary">{t("approvals.note")}</Typography.Paragraph>
      {error !== undefined && <ErrorAlert error={error} onRetry={reload} />}
      {!data && loading ? (
        <Spin description={t("loading")} />
      ) : (
        <List
          data-testid="approval-queue"
          bordered
          dataSource={data ?? []}
          locale={{ emptyText: t("approvals.empty") }}
          renderItem={(bulletin) => (
            <List.Item
              actions={[
                <Link key="open" to={`/bulletins/${bulletin.id}`} aria-label={`${t("approvals.open")}: ${bulletin.title}`}>
                  {t("approvals.open")}
                </Link>,
              ]}
            >
              <List.Item.Meta
                title={<Link to={`/bulletins/${bulletin.id}`}>{bulletin.title}</Link>}
                description={
                  <Space wrap size="small" className="bulletin-meta">
                    <PriorityTag priority={bulletin.priority ?? "normal"} />
                    <UnitName code={bulletin.issuer_unit} />
                    <span>{bulletin.author.username}</span>
                    {bulletin.submitted_at && <span>{formatDateTime(bulletin.submitted_at, locale)}</span>}
                  </Space>
                }
              />
            </List.Item>
          )}
        />
      )}
    </>
  );
}
