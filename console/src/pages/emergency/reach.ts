/** What an emergency for some areas reaches: device counts and unit names, for the confirmation. */
import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";
import { loadUnit } from "../../units";

type Summary = components["schemas"]["DeviceSummary"];

export interface Reach {
  devices: number;
  online: number;
  names: string;
}

export async function reachOf(targets: string[]): Promise<Reach> {
  const [summaries, units] = await Promise.all([
    Promise.all(
      targets.map((code): Promise<Summary> => ok(api().GET("/units/{code}/devices/summary", { params: { path: { code } } }))),
    ),
    Promise.all(targets.map((code) => loadUnit(code))),
  ]);
  return {
    devices: summaries.reduce((sum, s) => sum + s.total, 0),
    online: summaries.reduce((sum, s) => sum + s.online, 0),
    names: units.map((unit) => unit.name).join(", "),
  };
}

/** Toggle a district picked on the map in the list of targets. */
export function toggle(targets: string[], code: string): string[] {
  return targets.includes(code) ? targets.filter((target) => target !== code) : [...targets, code];
}
