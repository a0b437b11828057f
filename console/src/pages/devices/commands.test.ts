import { describe, expect, it } from "vitest";

import { commandState } from "./commands";

const issued = "2030-01-01T10:00:00+07:00";
const later = "2030-01-01T10:00:02+07:00";
const earlier = "2030-01-01T09:59:00+07:00";

const command = (over: Record<string, unknown>) =>
  ({
    command_id: "c1",
    thing: "spk-1",
    command: "volume",
    value: 40,
    issued_at: issued,
    issued_by: { username: "op", name: "op", unit: "52" },
    status: "sent",
    ...over,
  }) as never;

const device = (over: Record<string, unknown>) =>
  ({ volume: 70, power: "on", playing: null, last_seen: earlier, connected_at: earlier, ...over }) as never;

describe("commandState", () => {
  it("is pending until the device reports the asked volume after the command", () => {
    expect(commandState(command({}), device({}))).toBe("pending");
    expect(commandState(command({}), device({ volume: 40 }))).toBe("pending"); // an old report
    expect(commandState(command({}), device({ volume: 40, last_seen: later }))).toBe("confirmed");
  });

  it("takes the API's own verdict first", () => {
    expect(commandState(command({ status: "done" }), device({}))).toBe("confirmed");
    expect(commandState(command({ status: "failed" }), device({ volume: 40, last_seen: later }))).toBe("failed");
  });

  it("confirms a reboot by a new connection, play-now and stop by what plays", () => {
    expect(commandState(command({ command: "reboot" }), device({ connected_at: later }))).toBe("confirmed");
    expect(commandState(command({ command: "reboot" }), device({}))).toBe("pending");
    const playing = { bulletin_id: "b", started_at: later };
    expect(commandState(command({ command: "play_now" }), device({ playing }))).toBe("confirmed");
    expect(commandState(command({ command: "stop" }), device({ playing, last_seen: later }))).toBe("pending");
    expect(commandState(command({ command: "stop" }), device({ last_seen: later }))).toBe("confirmed");
  });
});
