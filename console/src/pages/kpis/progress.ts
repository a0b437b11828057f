/** How an indicator reads on the board: its value and target as whole percents, and its state. */
export interface Reading {
  value: number | null;
  target: number | null;
  /** Percent of the bar: the value, capped at 100. */
  bar: number;
  state: "met" | "notMet" | "noTarget" | "notMeasured";
}

export function percent(fraction: number | null | undefined): number | null {
  return fraction === null || fraction === undefined ? null : Math.round(fraction * 1000) / 10;
}

export function reading(indicator: { value: number | null; target: number | null; met: boolean | null }): Reading {
  const value = percent(indicator.value);
  const target = percent(indicator.target);
  const state = value === null ? "notMeasured" : indicator.met === null ? "noTarget" : indicator.met ? "met" : "notMet";
  return { value, target, bar: value === null ? 0 : Math.min(100, Math.max(0, value)), state };
}

/** A figure as the board shows it: counts whole, seconds and ratios with up to 3 decimals. */
export function figure(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat(locale === "vi" ? "vi-VN" : "en-GB", { maximumFractionDigits: 3 }).format(value);
}
