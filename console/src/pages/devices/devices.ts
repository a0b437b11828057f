/** Loading an area's devices (every page of them) and how each shows: shared by the device views. */
import { api, ok } from "../../api/client";
import type { components } from "../../api/schema";

export type Device = components["schemas"]["DeviceView"];

/** Enough for a province's fleet at the usual density; the API pages by 100. */
const MAX_PAGES = 20;

export async function loadDevices(unit: string): Promise<Device[]> {
  const found: Device[] = [];
  let next: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result: components["schemas"]["DevicePage"] = await ok(api().GET("/devices", { params: { query: { unit, limit: 100, next } } }));
    found.push(...result.items);
    if (!result.next) break;
    next = result.next;
  }
  return found;
}

export type DeviceState = "playing" | "emergency" | "online" | "offline";

export function stateOf(device: Device): DeviceState {
  if (!device.online) return "offline";
  if (device.playing) return device.playing.emergency ? "emergency" : "playing";
  return "online";
}

export const STATE_COLOUR: Record<DeviceState, string> = {
  // Dark enough for white text on a tag (WCAG AA) and distinct on the map.
  emergency: "#a8071a",
  playing: "#0958d9",
  online: "#237804",
  offline: "#595959",
};
