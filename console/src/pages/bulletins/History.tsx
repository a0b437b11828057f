/** A bulletin's history, oldest first, and what each edit changed (text as a word diff). */
import { Collapse, Empty, Timeline, Typography } from "antd";

import { formatDateTime } from "../../format";
import { useLocale, useT } from "../../i18n";
import type { AuditEvent } from "./actions";
import { bulletinMessages } from "./messages";
import { DiffText } from "./parts";

const FIELDS = ["title", "body", "category", "priority", "targets", "channels", "schedule", "repeat", "media"];

function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function History({ events }: { events: AuditEvent[] }) {
  const t = useT(bulletinMessages);
  const { locale } = useLocale();
  if (events.length === 0) return <Empty description={t("history.empty")} />;
  return (
    <Timeline
      data-testid="history"
      items={events.map((event) => {
        const changes = Object.entries(event.changes ?? {});
        return {
          key: event.seq,
          content: (
            <>
              <Typography.Text strong>
                {t("history.entry", { who: event.actor.username, action: t(`history.${event.action}`), version: event.version })}
              </Typography.Text>
              <br />
              <Typography.Text type="secondary">{formatDateTime(event.at, locale)}</Typography.Text>
              {event.reason && <Typography.Paragraph className="bulletin-reason">“{event.reason}”</Typography.Paragraph>}
              {changes.length > 0 && (
                <Collapse
                  size="small"
                  ghost
                  items={[
                    {
                      key: "diff",
                      label: t("history.showDiff"),
                      children: changes.map(([field, change]) => {
                        const label = FIELDS.includes(field) ? t(`field.${field as "title"}`) : field;
                        const before = show(change.from);
                        const after = show(change.to);
                        return (
                          <div key={field}>
                            <Typography.Text strong>{t("history.field", { field: label })}</Typography.Text>
                            <DiffText before={before} after={after} />
                          </div>
                        );
                      }),
                    },
                  ]}
                />
              )}
            </>
          ),
        };
      })}
    />
  );
}
