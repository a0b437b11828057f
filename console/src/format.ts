/** Dates, times and numbers as people in Vietnam read them: vi-VN (or en-GB), Asia/Ho_Chi_Minh. */
import type { Locale } from "./i18n";

export const TIME_ZONE = "Asia/Ho_Chi_Minh";

const tag = (locale: Locale) => (locale === "vi" ? "vi-VN" : "en-GB");
// dd/mm/yyyy and 24-hour hh:mm in both languages, as offices in Vietnam write them.
const DAY = { day: "2-digit", month: "2-digit", year: "numeric" } as const;
const TIME = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" } as const;

export function formatDateTime(value: string | number | Date, locale: Locale): string {
  return new Intl.DateTimeFormat(tag(locale), { ...DAY, ...TIME, timeZone: TIME_ZONE }).format(new Date(value));
}

export function formatDate(value: string | number | Date, locale: Locale): string {
  // A bare "YYYY-MM-DD" is a calendar day in Vietnam, not UTC midnight.
  const date = typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00+07:00`) : new Date(value);
  return new Intl.DateTimeFormat(tag(locale), { ...DAY, timeZone: TIME_ZONE }).format(date);
}

export function formatTime(value: string | number | Date, locale: Locale): string {
  return new Intl.DateTimeFormat(tag(locale), { ...TIME, timeZone: TIME_ZONE }).format(new Date(value));
}

export function formatNumber(value: number, locale: Locale): string {
  return new Intl.NumberFormat(tag(locale)).format(value);
}

/** Today's calendar day in Vietnam, as the API's `date` parameters want it (YYYY-MM-DD). */
export function todayInVietnam(now: Date = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: TIME_ZONE }).format(now);
}
