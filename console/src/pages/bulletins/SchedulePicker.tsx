/** The four schedule kinds, and a preview of the plays they ask for (schedule.ts). */
import { Alert, Checkbox, Col, Form, Input, Radio, Row, Select, Typography } from "antd";

import { useLocale, useT } from "../../i18n";
import { formatDate } from "../../format";
import type { ScheduleForm } from "./draft";
import { toSchedule } from "./draft";
import { bulletinMessages } from "./messages";
import { previewPlays, scheduleProblem, WEEKDAYS } from "./schedule";
import type { Repeat, Weekday } from "./schedule";

const SHOWN = 8;

interface Props {
  value: ScheduleForm;
  onChange: (value: ScheduleForm) => void;
  priority: string;
  repeat: Repeat | null;
}

export function SchedulePicker({ value, onChange, priority, repeat }: Props) {
  const t = useT(bulletinMessages);
  const { locale } = useLocale();
  const set = (patch: Partial<ScheduleForm>) => onChange({ ...value, ...patch });
  const schedule = toSchedule(value);
  const problem = scheduleProblem(schedule);
  const plays = problem ? [] : previewPlays(schedule, priority, repeat);

  return (
    <fieldset className="bulletin-fieldset">
      <legend>{t("schedule.title")}</legend>
      <Form.Item label={t("schedule.type")} htmlFor="schedule-type">
        <Radio.Group
          id="schedule-type"
          aria-label={t("schedule.type")}
          value={value.type}
          onChange={(event) => set({ type: event.target.value })}
          options={(["once", "daily", "weekly", "monthly"] as const).map((kind) => ({ value: kind, label: t(`schedule.${kind}`) }))}
        />
      </Form.Item>
      {value.type === "once" ? (
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item label={t("schedule.day")} htmlFor="schedule-day">
              <Input id="schedule-day" type="date" value={value.day} onChange={(event) => set({ day: event.target.value })} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item label={t("schedule.time")} htmlFor="schedule-time">
              <Input id="schedule-time" type="time" value={value.time} onChange={(event) => set({ time: event.target.value })} />
            </Form.Item>
          </Col>
        </Row>
      ) : (
        <>
          <Form.Item label={t("schedule.times")} htmlFor="schedule-times">
            <Input id="schedule-times" value={value.times} onChange={(event) => set({ times: event.target.value })} />
          </Form.Item>
          <Row gutter={12}>
            <Col xs={24} sm={12}>
              <Form.Item label={t("schedule.from")} htmlFor="schedule-from">
                <Input id="schedule-from" type="date" value={value.from} onChange={(event) => set({ from: event.target.value })} />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item label={t("schedule.until")} htmlFor="schedule-until">
                <Input id="schedule-until" type="date" value={value.until} onChange={(event) => set({ until: event.target.value })} />
              </Form.Item>
            </Col>
          </Row>
        </>
      )}
      {value.type === "weekly" && (
        <Form.Item label={t("schedule.weekdays")}>
          <Checkbox.Group
            aria-label={t("schedule.weekdays")}
            value={value.days}
            onChange={(days) => set({ days: days as Weekday[] })}
            options={WEEKDAYS.map((day) => ({ value: day, label: t(`weekday.${day}`) }))}
          />
        </Form.Item>
      )}
      {value.type === "monthly" && (
        <Form.Item label={t("schedule.daysOfMonth")} htmlFor="schedule-month-days">
          <Select
            id="schedule-month-days"
            mode="multiple"
            value={value.daysOfMonth}
            onChange={(days: number[]) => set({ daysOfMonth: days })}
            options={Array.from({ length: 31 }, (_, index) => ({ value: index + 1, label: String(index + 1) }))}
          />
        </Form.Item>
      )}
      {problem ? (
        <Alert type="warning" showIcon title={t(`schedule.problem.${problem}`)} />
      ) : (
        <section aria-label={t("schedule.preview", { count: plays.length })} data-testid="schedule-preview">
          <Typography.Text strong>{t("schedule.preview", { count: plays.length })}</Typography.Text>
          {priority === "normal" && (
            <Typography.Paragraph type="secondary" className="bulletin-note">
              {t("schedule.normalNote")}
            </Typography.Paragraph>
          )}
          <ul className="bulletin-plays" aria-label={t("schedule.title")}>
            {plays.slice(0, SHOWN).map((play) => (
              <li key={`${play.day} ${play.time}`}>
                {formatDate(play.day, locale)} · {play.time}
              </li>
            ))}
          </ul>
          {plays.length > SHOWN && <Typography.Text type="secondary">{t("schedule.more", { count: plays.length - SHOWN })}</Typography.Text>}
        </section>
      )}
    </fieldset>
  );
}
