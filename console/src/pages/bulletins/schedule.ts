/**
 * The plays a schedule asks for, as the API computes them (nguon/models/schedules.py): once at a
 * local moment; daily, weekly or monthly at each time of the days in [from, until]; a monthly day
 * the month lacks (31 in April) is skipped; priority and emergency items repeat `count` times,
 * `interval_min` apart. Days are calendar days in Vietnam, so the arithmetic stays in UTC dates.
 */
export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";
export const WEEKDAYS: Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
export const MAX_RANGE_DAYS = 366;
export const MAX_TIMES_PER_DAY = 24;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export type Schedule =
  | { type: "once"; at: string }
  | { type: "daily"; times: string[]; from: string; until: string }
  | { type: "weekly"; times: string[]; from: string; until: string; days: Weekday[] }
  | { type: "monthly"; times: string[]; from: string; until: string; days_of_month: number[] };

export interface Repeat {
  count: number;
  interval_min: number;
}

/** A play: its local day and time ("YYYY-MM-DD", "HH:MM"). */
export interface Play {
  day: string;
  time: string;
}

export type ScheduleProblem =
  | "time_invalid"
  | "times_missing"
  | "too_many_times"
  | "days_missing"
  | "day_invalid"
  | "ends_before_start"
  | "too_long";

const toDate = (day: string) => new Date(`${day}T00:00:00Z`);
const toDay = (date: Date) => date.toISOString().slice(0, 10);
const isDay = (day: string) => /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(toDate(day).getTime()) && toDay(toDate(day)) === day;

/** "06:00, 17:15 6:30" → sorted unique times; anything not a time is left for `scheduleProblem`. */
export function parseTimes(text: string): string[] {
  const times = text
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((part) => (/^\d:\d\d$/.test(part) ? `0${part}` : part));
  return [...new Set(times)].sort();
}

/** The first reason the API would refuse this schedule, or null. */
export function scheduleProblem(schedule: Schedule): ScheduleProblem | null {
  if (schedule.type === "once") {
    const [day, time] = schedule.at.split("T");
    if (!day || !isDay(day)) return "day_invalid";
    return time && TIME.test(time.slice(0, 5)) ? null : "time_invalid";
  }
  if (schedule.times.length === 0) return "times_missing";
  if (schedule.times.some((time) => !TIME.test(time))) return "time_invalid";
  if (schedule.times.length > MAX_TIMES_PER_DAY) return "too_many_times";
  if (!isDay(schedule.from) || !isDay(schedule.until)) return "day_invalid";
  if (schedule.until < schedule.from) return "ends_before_start";
  const days = (toDate(schedule.until).getTime() - toDate(schedule.from).getTime()) / 86_400_000;
  if (days >= MAX_RANGE_DAYS) return "too_long";
  if (schedule.type === "weekly" && schedule.days.length === 0) return "days_missing";
  if (schedule.type === "monthly" && schedule.days_of_month.length === 0) return "days_missing";
  return null;
}

function playsOn(schedule: Exclude<Schedule, { type: "once" }>, date: Date): boolean {
  if (schedule.type === "weekly") return schedule.days.includes(WEEKDAYS[(date.getUTCDay() + 6) % 7]);
  if (schedule.type === "monthly") return schedule.days_of_month.includes(date.getUTCDate());
  return true;
}

function starts(schedule: Schedule): Play[] {
  if (schedule.type === "once") {
    const [day, time] = schedule.at.split("T");
    return [{ day, time: time.slice(0, 5) }];
  }
  const plays: Play[] = [];
  const times = [...new Set(schedule.times)].sort();
  for (let date = toDate(schedule.from); toDay(date) <= schedule.until; date = new Date(date.getTime() + 86_400_000)) {
    if (playsOn(schedule, date)) for (const time of times) plays.push({ day: toDay(date), time });
  }
  return plays;
}

function later({ day, time }: Play, minutes: number): Play {
  const [hours, mins] = time.split(":").map(Number);
  const moment = new Date(toDate(day).getTime() + (hours * 60 + mins + minutes) * 60_000);
  return { day: toDay(moment), time: moment.toISOString().slice(11, 16) };
}

/**
 * Every play the schedule asks for, in order. A normal bulletin's times are requests the
 * commune places; its repeat is refused by the API, so it is ignored here.
 */
export function previewPlays(schedule: Schedule, priority: string, repeat?: Repeat | null): Play[] {
  if (scheduleProblem(schedule)) return [];
  const first = starts(schedule);
  if (!repeat || priority === "normal") return first;
  return first.flatMap((play) => Array.from({ length: repeat.count }, (_, index) => later(play, index * repeat.interval_min)));
}
