/**
 * The commune's own order of its normal bulletins (and a time of its own per play), saved with
 * the version read: someone else's change in between is refused (409) and reloaded, not lost.
 */
import { App, Button, Input, List, Space, Typography } from "antd";
import { useEffect, useState } from "react";

import { api, ApiError, ok } from "../../api/client";
import { errorMessage } from "../../components/ErrorAlert";
import { useT } from "../../i18n";
import { programmeMessages } from "./messages";
import type { ProgrammeItem } from "./timeline";
import { clock } from "./timeline";

interface Entry {
  bulletin_id: string;
  title: string;
  start: string;
}

export function ProgrammeOrder({
  unit,
  date,
  items,
  version,
  onSaved
}: {
  unit: string;
  date: string;
  items: ProgrammeItem[];
  version: number;
  onSaved: () => void;
}) {
  const t = useT(programmeMessages);
  const { message } = App.useApp();
  const [entries, setEntries] = useState<Entry[]>([]);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const normal = items.filter((item) => item.priority === "normal");
    setEntries(
      normal.map((item) => ({
        bulletin_id: item.bulletin_id,
        title: item.title,
        start: item.placement === "unit_placed" ? clock(item.start) : "",
      })),
    );
  }, [items]);

  const move = (index: number, by: number) =>
    setEntries((current) => {
      const next = [...current];
      const [moved] = next.splice(index, 1);
      next.splice(index + by, 0, moved);
      return next;
    });

  const save = async () => {
    setBusy(true);
    try {
      await ok(
        api().PUT("/units/{code}/programme", {
          params: { path: { code: unit }, query: { date } },
          body: {
            items: entries.map((entry) => ({ bulletin_id: entry.bulletin_id, start: entry.start || null })),
            version,
          },
        }),
      );
      message.success(t("programme.saved"));
      onSaved();
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        message.warning(t("programme.stale"));
        onSaved();
      } else {
        message.error(errorMessage(error, t));
      }
    } finally {
      setBusy(false);
    }
  };

  if (!entries.length) return null;
  return (
    <section className="page-card">
      <h2 className="section-title">{t("programme.order")}</h2>
      <Typography.Paragraph type="secondary">{t("programme.orderHelp")}</Typography.Paragraph>
      <List
        size="small"
        bordered
        dataSource={entries}
        renderItem={(entry, index) => (
          <List.Item>
            <Space wrap className="order-row">
              <Typography.Text strong>{index + 1}.</Typography.Text>
              <Typography.Text className="order-title">{entry.title}</Typography.Text>
              <Input
                size="small"
                style={{ width: 80 }}
                placeholder="HH:MM"
                aria-label={t("programme.startAt", { title: entry.title })}
                value={entry.start}
                onChange={(event) =>
                  setEntries((current) =>
                    current.map((e, i) => (i === index ? { ...e, start: event.target.value.trim() } : e)),
                  )
                }
              />
              <Button
                size="small"
                disabled={index === 0}
                aria-label={t("programme.moveUp", { title: entry.title })}
                onClick={() => move(index, -1)}
              >
                {t("programme.up")}
              </Button>
              <Button
                size="small"
                disabled={index === entries.length - 1}
                aria-label={t("programme.moveDown", { title: entry.title })}
                onClick={() => move(index, 1)}
              >
                {t("programme.down")}
              </Button>
            </Space>
          </List.Item>
        )}
      />
      <Button type="primary" onClick={() => void save()} loading={busy} className="more-button">
        {t("programme.saveOrder")}
      </Button>
    </section>
  );
}
