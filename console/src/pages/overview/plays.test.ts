import { describe, expect, it } from "vitest";

import { playsByArea } from "./plays";

const station = (over: Record<string, unknown>) =>
  ({
    station: "spk-1",
    name: "Loa 1",
    kind: "speaker",
    speakers: 4,
    district: "540",
    district_name: "Quy Nhơn",
    commune: "21550",
    commune_name: "Nhơn Bình",
    lat: 13.8,
    lon: 109.2,
    bulletins_total: 2,
    played_ok: 1,
    emergency: 0,
    play_time_s: 60,
    requested_time_s: 120,
    ratio: 0.5,
    ...over,
  }) as never;

describe("playsByArea", () => {
  it("sums stations into their district for the province", () => {
    const rows = playsByArea(
      [station({}), station({ station: "spk-2", play_time_s: 30, requested_time_s: 60 }), station({ district: "547", commune: "21808" })],
      [
        { code: "540", name: "Quy Nhơn" },
        { code: "547", name: "Tây Sơn" },
        { code: "551", name: "Vân Canh" },
      ],
    );
    expect(rows).toEqual([
      { code: "540", name: "Quy Nhơn", plannedMin: 3, playedMin: 1.5 },
      { code: "547", name: "Tây Sơn", plannedMin: 2, playedMin: 1 },
      { code: "551", name: "Vân Canh", plannedMin: 0, playedMin: 0 },
    ]);
  });

  it("sums stations into their commune for a district", () => {
    const rows = playsByArea([station({}), station({ commune: "21553", play_time_s: 0 })], [
      { code: "21550", name: "Nhơn Bình" },
      { code: "21553", name: "Nhơn Phú" },
    ]);
    expect(rows.map((row) => row.playedMin)).toEqual([1, 0]);
  });

  it("gives a commune one bar per station", () => {
    const rows = playsByArea([station({}), station({ station: "brd-1", name: "Bảng 1" })], []);
    expect(rows.map((row) => row.code)).toEqual(["spk-1", "brd-1"]);
  });
});
