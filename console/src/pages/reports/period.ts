/** Report periods as the API names them: "2026-11" (monthly), "2026-Q4" (quarterly), "2026"
 * (annual), "adhoc" (every ad-hoc request, whatever its range); and what the console may offer
 * on a report, from its status and the user's place. */
export type RegularKind = "monthly" | "quarterly" | "annual";
export type PeriodKind = RegularKind | "adhoc";

export function periodKey(kind: PeriodKind, day: string): string {
  if (kind === "adhoc") return "adhoc";
  const [year, month] = day.split("-");
  if (kind === "annual") return year;
  if (kind === "quarterly") return `${year}-Q${Math.floor((Number(month) - 1) / 3) + 1}`;
  return `${year}-${month}`;
}

export function createBody(unit: string, kind: RegularKind, key: string) {
  if (kind === "annual") return { unit, period: kind, year: Number(key) };
  if (kind === "quarterly") return { unit, period: kind, quarter: key };
  return { unit, period: kind, month: key };
}

/** The previous month's first day (YYYY-MM-DD): the period a monthly report usually covers. */
export function lastMonth(today: string): string {
  const [year, month] = today.split("-").map(Number);
  return month === 1 ? `${year - 1}-12-01` : `${year}-${String(month - 1).padStart(2, "0")}-01`;
}

export interface Place {
  /** The report's unit and every unit above it, top first. */
  path: string[];
  unit: string;
  status: string;
}

/** The report's own unit (or one above it) writes it while it is a draft or returned. */
export function canWrite(report: Place, home: string, mayWrite: boolean): boolean {
  return mayWrite && report.path.includes(home) && (report.status === "draft" || report.status === "returned");
}

/** A unit strictly above reviews it once submitted (never its own unit's report). */
export function canReview(report: Place, home: string, mayReview: boolean): boolean {
  return mayReview && report.unit !== home && report.path.includes(home) && report.status === "submitted";
}
