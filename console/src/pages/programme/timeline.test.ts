import { describe, expect, it } from "vitest";

import { blocks, minuteOfDay, windowBands } from "./timeline";
import type { ProgrammeItem } from "./timeline";

const item = (start: string, end: string): ProgrammeItem =>
  ({
    start,
    end,
    duration_s: 600,
    bulletin_id: "b",
    title: "Tin",
    priority: "normal",
    layer: "commune",
    placement: "default_window",
    requested_start: start,
    delayed_s: 0,
    interrupted: false,
    play: 1,
  }) as ProgrammeItem;

describe("the programme's timeline", () => {
  it("reads the Vietnam local time the API gives, not the browser's zone", () => {
    expect(minuteOfDay("2030-05-01T06:30:00+07:00")).toBe(390);
    expect(minuteOfDay("17:15")).toBe(1035);
  });

  it("places a play by its start and length on a 24-hour bar", () => {
    const [block] = blocks([item("2030-05-01T12:00:00+07:00", "2030-05-01T14:24:00+07:00")]);
    expect(block.left).toBeCloseTo(50);
    expect(block.width).toBeCloseTo(10);
  });

  it("draws a play that runs past midnight to the end of the day", () => {
    const [block] = blocks([item("2030-05-01T23:30:00+07:00", "2030-05-02T00:10:00+07:00")]);
    expect(block.left + block.width).toBeCloseTo(100);
  });

  it("shades the broadcast windows", () => {
    expect(windowBands([{ start: "06:00", end: "06:30" }])[0].width).toBeCloseTo((30 / 1440) * 100);
  });
});
