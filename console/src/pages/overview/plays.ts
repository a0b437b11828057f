/** Today's plays against the plan, grouped by the areas the overview lists (logic, no React). */
import type { components } from "../../api/schema";

type Station = components["schemas"]["StationStats"];

export interface AreaPlays {
  code: string;
  name: string;
  plannedMin: number;
  playedMin: number;
}

/**
 * Sum each station into the listed area it lies in (district for the province, commune for a
 * district); a commune user, with no areas below, gets one bar per station. Minutes, rounded
 * to one decimal.
 */
export function playsByArea(stations: Station[], areas: { code: string; name: string }[]): AreaPlays[] {
  const minutes = (seconds: number) => Math.round(seconds / 6) / 10;
  if (!areas.length) {
    return stations.map((station) => ({
      code: station.station,
      name: station.name,
      plannedMin: minutes(station.requested_time_s),
      playedMin: minutes(station.play_time_s),
    }));
  }
  const totals = new Map(areas.map((area) => [area.code, { planned: 0, played: 0 }]));
  for (const station of stations) {
    const total = totals.get(station.commune) ?? (station.district ? totals.get(station.district) : undefined);
    if (!total) continue;
    total.planned += station.requested_time_s;
    total.played += station.play_time_s;
  }
  return areas.map((area) => {
    const total = totals.get(area.code)!;
    return { code: area.code, name: area.name, plannedMin: minutes(total.planned), playedMin: minutes(total.played) };
  });
}
