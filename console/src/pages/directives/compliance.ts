/** Plays per day summed over a bulletin's targeted communes, against what they owe (the chart's rows). */
import type { components } from "../../api/schema";

type BulletinCompliance = components["schemas"]["BulletinCompliance"];

export interface DayRow {
  day: string;
  played: number;
  owed: number;
}

export function playsByDay(measured: BulletinCompliance): DayRow[] {
  const communes = measured.targets.reduce((sum, target) => sum + target.communes, 0);
  const rows: DayRow[] = [];
  const first = new Date(`${measured.from}T00:00:00Z`);
  const days = Math.max(0, ...measured.targets.flatMap((target) => target.by_commune.map((c) => c.daily.length)));
  for (let n = 0; n < days; n += 1) {
    const day = new Date(first.getTime() + n * 86_400_000).toISOString().slice(0, 10);
    const played = measured.targets.reduce(
      (sum, target) => sum + target.by_commune.reduce((inner, commune) => inner + (commune.daily[n] ?? 0), 0),
      0,
    );
    rows.push({ day, played, owed: measured.plays_per_day * communes });
  }
  return rows;
}
