import { describe, expect, it } from "vitest";

import { todayInVietnam } from "../../format";
import { playsByDay } from "./compliance";

/** `YYYY-MM-DD`, `n` days after `day` (dates from today: never a calendar day that can pass). */
const plus = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const first = todayInVietnam();

const commune = (code: string, daily: number[]) => ({ code, name: code, plays: daily.reduce((a, b) => a + b, 0), days_met: 0, daily });

describe("playsByDay", () => {
  it("adds every targeted commune's plays per day and owes plays a day × communes", () => {
    const rows = playsByDay({
      bulletin_id: "b1",
      title: "Bão",
      plays_per_day: 3,
      from: first,
      to: plus(first, 2),
      days: 2,
      targets: [
        { unit: "540", name: "Quy Nhơn", communes: 2, communes_played: 2, communes_met: 0, plays: 0, expected: 12, by_commune: [commune("a", [1, 2, 0]), commune("b", [3, 0, 1])] },
        { unit: "21808", name: "X", communes: 1, communes_played: 1, communes_met: 0, plays: 0, expected: 6, by_commune: [commune("c", [0, 4, 0])] },
      ],
    });
    expect(rows).toEqual([
      { day: first, played: 4, owed: 9 },
      { day: plus(first, 1), played: 6, owed: 9 },
      { day: plus(first, 2), played: 1, owed: 9 },
    ]);
  });
});
