/** The compose form's state, and the API's bulletin content made from it (and back). */
import { todayInVietnam } from "../../format";
import type { BulletinView } from "./actions";
import { parseTimes } from "./schedule";
import type { Repeat, Schedule, Weekday } from "./schedule";

export const CATEGORIES = ["policy", "disaster", "health", "security", "agriculture", "culture", "other"] as const;
export const PRIORITIES = ["normal", "priority", "emergency"] as const;
export const CHANNELS = ["speaker", "board", "web"] as const;

export interface ScheduleForm {
  type: Schedule["type"];
  day: string;
  time: string;
  times: string;
  from: string;
  until: string;
  days: Weekday[];
  daysOfMonth: number[];
}

export interface Draft {
  title: string;
  body: string;
  category: string;
  priority: string;
  targets: string[];
  channels: string[];
  schedule: ScheduleForm;
  repeat: Repeat | null;
  media: string[];
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

export function newDraft(home: string, today = todayInVietnam()): Draft {
  return {
    title: "",
    body: "",
    category: "other",
    priority: "normal",
    targets: [home],
    channels: ["speaker"],
    schedule: { type: "daily", day: today, time: "07:00", times: "06:00, 17:00", from: today, until: addDays(today, 6), days: ["mon"], daysOfMonth: [1] },
    repeat: null,
    media: [],
  };
}

export function toSchedule(form: ScheduleForm): Schedule {
  const range = { times: parseTimes(form.times), from: form.from, until: form.until };
  switch (form.type) {
    case "once":
      return { type: "once", at: `${form.day}T${form.time}` };
    case "weekly":
      return { type: "weekly", ...range, days: form.days };
    case "monthly":
      return { type: "monthly", ...range, days_of_month: form.daysOfMonth };
    default:
      return { type: "daily", ...range };
  }
}

/** The body of POST /bulletins (PATCH takes the same fields and the version). */
export function toContent(draft: Draft) {
  const schedule = toSchedule(draft.schedule);
  return {
    title: draft.title.trim(),
    body: draft.body.trim(),
    category: draft.category,
    priority: draft.priority,
    targets: draft.targets,
    channels: draft.channels,
    schedule: schedule.type === "once" ? { type: "once" as const, at: `${schedule.at}:00` } : schedule,
    repeat: draft.priority === "normal" ? null : draft.repeat,
    media: draft.media,
  };
}

export function fromBulletin(bulletin: BulletinView, today = todayInVietnam()): Draft {
  const blank = newDraft(bulletin.issuer_unit, today).schedule;
  const s = bulletin.schedule as Schedule & { at?: string };
  const schedule: ScheduleForm =
    s.type === "once"
      ? { ...blank, type: "once", day: s.at.slice(0, 10), time: s.at.slice(11, 16) }
      : {
          ...blank,
          type: s.type,
          times: s.times.join(", "),
          from: s.from,
          until: s.until,
          days: s.type === "weekly" ? s.days : blank.days,
          daysOfMonth: s.type === "monthly" ? s.days_of_month : blank.daysOfMonth,
        };
  return {
    title: bulletin.title,
    body: bulletin.body,
    category: bulletin.category,
    priority: bulletin.priority ?? "normal",
    targets: bulletin.targets,
    channels: bulletin.channels ?? ["speaker"],
    schedule,
    repeat: bulletin.repeat ?? null,
    media: bulletin.media ?? [],
  };
}
