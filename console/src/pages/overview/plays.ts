/** Today's plays against the plan per area, as the overview's chart shows them (logic, no React). */
import type { components } from "../../api/schema";

type UnitPlays = components["schemas"]["UnitPlays"];

export interface AreaPlays {
  code: string;
  name: string;
  planned: number;
  played: number;
  /** Played as a whole percentage of planned; null where nothing was planned. */
  percent: number | null;
}

/**
 * The overview's per-area counters (district for the province, commune for a district) as
 * chart rows. Plays beyond the plan (a play now, an emergency) can pass 100 %.
 */
export function playsRows(byUnit: UnitPlays[]): AreaPlays[] {
  return byUnit.map((area) => ({
    code: area.code,
    name: area.name,
    planned: area.planned,
    played: area.played,
    percent: area.planned > 0 ? Math.round((area.played / area.planned) * 100) : null,
  }));
}

/** Whether there is anything to draw: a day with no plan and no play shows a short note. */
export function anyPlays(rows: AreaPlays[]): boolean {
  return rows.some((row) => row.planned > 0 || row.played > 0);
}
