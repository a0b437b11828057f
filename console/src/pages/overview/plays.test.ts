import { describe, expect, it } from "vitest";

import { anyPlays, playsRows } from "./plays";

describe("playsRows", () => {
  it("gives each area its share of the plan", () => {
    const rows = playsRows([
      { code: "540", name: "Quy Nhơn", played: 6, planned: 8 },
      { code: "547", name: "Tây Sơn", played: 3, planned: 2 },
      { code: "551", name: "Vân Canh", played: 0, planned: 0 },
    ]);
    expect(rows).toEqual([
      { code: "540", name: "Quy Nhơn", played: 6, planned: 8, percent: 75 },
      { code: "547", name: "Tây Sơn", played: 3, planned: 2, percent: 150 },
      { code: "551", name: "Vân Canh", played: 0, planned: 0, percent: null },
    ]);
  });

  it("rounds the percentage to a whole number", () => {
    expect(playsRows([{ code: "21550", name: "Nhơn Bình", played: 1, planned: 3 }])[0].percent).toBe(33);
  });
});

describe("anyPlays", () => {
  it("is false for a day with neither plan nor play", () => {
    expect(anyPlays(playsRows([{ code: "551", name: "Vân Canh", played: 0, planned: 0 }]))).toBe(false);
    expect(anyPlays(playsRows([{ code: "551", name: "Vân Canh", played: 1, planned: 0 }]))).toBe(true);
  });
});
