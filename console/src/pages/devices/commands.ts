/**
 * Whether a command the user sent has been carried out, judged from what the device reports.
 * The API answers a command `sent` (or `done` when nothing changes, `failed` when undeliverable);
 * the device's confirmation then shows in its own reported state, which the page polls:
 * volume and power in the config shadow, a reboot as a new connection, play-now and stop in
 * what it plays.
 */
import type { components } from "../../api/schema";

type Command = components["schemas"]["CommandRecord"];
type Device = components["schemas"]["DeviceView"];

export type CommandState = "pending" | "confirmed" | "failed";

const after = (moment: string | null | undefined, issued: string) =>
  !!moment && new Date(moment).getTime() >= new Date(issued).getTime();

export function commandState(command: Command, device: Device | undefined): CommandState {
  if (command.status === "done") return "confirmed";
  if (command.status === "failed") return "failed";
  if (!device) return "pending";
  switch (command.command) {
    case "volume":
      return device.volume === command.value && after(device.last_seen, command.issued_at) ? "confirmed" : "pending";
    case "power":
      return device.power === command.value && after(device.last_seen, command.issued_at) ? "confirmed" : "pending";
    case "reboot":
      return after(device.connected_at, command.issued_at) ? "confirmed" : "pending";
    case "play_now":
      return device.playing && after(device.playing.started_at, command.issued_at) ? "confirmed" : "pending";
    case "stop":
      return !device.playing && after(device.last_seen, command.issued_at) ? "confirmed" : "pending";
  }
  return "pending";
}
