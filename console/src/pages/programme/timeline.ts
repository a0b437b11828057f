/** Where each play and window sits on a 24-hour bar (percentages), from the API's local times. */
import type { components } from "../../api/schema";

export type ProgrammeItem = components["schemas"]["ProgrammeItem"];
export type BroadcastWindow = components["schemas"]["BroadcastWindow"];

const DAY_MINUTES = 24 * 60;

/** Minutes after midnight of "HH:MM" or of an ISO time with its Vietnam offset ("…T06:30:00+07:00"). */
export function minuteOfDay(value: string): number {
  const time = value.includes("T") ? value.slice(11, 16) : value;
  const [hours, minutes] = time.split(":").map(Number);
  return hours * 60 + minutes;
}

export function clock(value: string): string {
  return value.includes("T") ? value.slice(11, 16) : value;
}

export interface Block {
  key: string;
  left: number;
  width: number;
  item: ProgrammeItem;
}

export function blocks(items: ProgrammeItem[]): Block[] {
  return items.map((item, index) => {
    const start = minuteOfDay(item.start);
    // An item ending after midnight is drawn to the end of the bar.
    const end = item.end.slice(0, 10) === item.start.slice(0, 10) ? minuteOfDay(item.end) : DAY_MINUTES;
    return {
      key: `${item.bulletin_id}-${item.play}-${index}`,
      left: (start / DAY_MINUTES) * 100,
      // At least a visible sliver: a 14-second item is 0.016 % of the day.
      width: Math.max(((end - start) / DAY_MINUTES) * 100, 0.4),
      item,
    };
  });
}

export function windowBands(windows: BroadcastWindow[]): { left: number; width: number }[] {
  return windows.map((window) => {
    const start = minuteOfDay(window.start);
    const end = minuteOfDay(window.end);
    return { left: (start / DAY_MINUTES) * 100, width: ((end - start) / DAY_MINUTES) * 100 };
  });
}
