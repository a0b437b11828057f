import { describe, expect, it } from "vitest";

import { mergeDraft } from "./merge";
import { parseTimes, previewPlays, scheduleProblem } from "./schedule";
import { fold, matches, wordDiff } from "./text";

describe("previewPlays", () => {
  it("plays a daily schedule at each time of each day", () => {
    const plays = previewPlays({ type: "daily", times: ["17:00", "06:00"], from: "2030-01-30", until: "2030-02-01" }, "normal");
    expect(plays.map((p) => `${p.day} ${p.time}`)).toEqual([
      "2030-01-30 06:00",
      "2030-01-30 17:00",
      "2030-01-31 06:00",
      "2030-01-31 17:00",
      "2030-02-01 06:00",
      "2030-02-01 17:00",
    ]);
  });

  it("keeps a weekly schedule to its weekdays", () => {
    // 2030-01-07 is a Monday.
    const plays = previewPlays({ type: "weekly", times: ["07:00"], from: "2030-01-07", until: "2030-01-20", days: ["mon", "sun"] }, "normal");
    expect(plays.map((p) => p.day)).toEqual(["2030-01-07", "2030-01-13", "2030-01-14", "2030-01-20"]);
  });

  it("skips a monthly day the month does not have", () => {
    const plays = previewPlays({ type: "monthly", times: ["08:00"], from: "2030-01-01", until: "2030-04-30", days_of_month: [31] }, "normal");
    expect(plays.map((p) => p.day)).toEqual(["2030-01-31", "2030-03-31"]);
  });

  it("repeats priority items across midnight, never normal ones", () => {
    const once = { type: "once" as const, at: "2030-05-01T23:50" };
    expect(previewPlays(once, "emergency", { count: 3, interval_min: 10 })).toEqual([
      { day: "2030-05-01", time: "23:50" },
      { day: "2030-05-02", time: "00:00" },
      { day: "2030-05-02", time: "00:10" },
    ]);
    expect(previewPlays(once, "normal", { count: 3, interval_min: 10 })).toHaveLength(1);
  });

  it("refuses what the API refuses", () => {
    expect(scheduleProblem({ type: "daily", times: ["06:00"], from: "2030-02-02", until: "2030-02-01" })).toBe("ends_before_start");
    expect(scheduleProblem({ type: "daily", times: ["06:00"], from: "2030-01-01", until: "2031-01-02" })).toBe("too_long");
    expect(scheduleProblem({ type: "daily", times: ["06:00"], from: "2030-01-01", until: "2031-01-01" })).toBeNull();
    expect(scheduleProblem({ type: "daily", times: ["24:00"], from: "2030-01-01", until: "2030-01-01" })).toBe("time_invalid");
    expect(scheduleProblem({ type: "weekly", times: ["06:00"], from: "2030-01-01", until: "2030-01-09", days: [] })).toBe("days_missing");
    expect(scheduleProblem({ type: "daily", times: ["06:00"], from: "2030-02-30", until: "2030-03-01" })).toBe("day_invalid");
    expect(previewPlays({ type: "daily", times: [], from: "2030-01-01", until: "2030-01-01" }, "normal")).toEqual([]);
  });

  it("reads times as people type them", () => {
    expect(parseTimes("17:15, 6:30 06:30;17:15")).toEqual(["06:30", "17:15"]);
  });
});

describe("search without diacritics", () => {
  it("folds Vietnamese letters, đ included", () => {
    expect(fold("Đêm văn nghệ Nhơn Bình")).toBe("dem van nghe nhon binh");
    expect(matches("dem van", "Đêm văn nghệ")).toBe(true);
    expect(matches("lu song", "Cảnh báo lũ", "trên sông Kôn")).toBe(true);
    expect(matches("rac", "Đêm văn nghệ")).toBe(false);
  });
});

describe("wordDiff", () => {
  it("marks the words removed and added, keeping the rest", () => {
    const pieces = wordDiff("Xe đến lúc 16 giờ hằng ngày", "Xe đến lúc 17 giờ hằng ngày");
    expect(pieces).toEqual([
      { op: "same", text: "Xe đến lúc " },
      { op: "removed", text: "16 " },
      { op: "added", text: "17 " },
      { op: "same", text: "giờ hằng ngày" },
    ]);
  });

  it("rebuilds both texts from its pieces", () => {
    const before = "một hai ba bốn năm sáu";
    const after = "không một ba bốn sáu bảy";
    const pieces = wordDiff(before, after);
    expect(pieces.filter((p) => p.op !== "added").map((p) => p.text).join("")).toBe(before);
    expect(pieces.filter((p) => p.op !== "removed").map((p) => p.text).join("")).toBe(after);
  });
});

describe("mergeDraft", () => {
  it("keeps my changes over theirs and names the fields both changed", () => {
    const base = { title: "A", body: "x", channels: ["speaker"] };
    const mine = { title: "A mới", body: "x của tôi", channels: ["speaker"] };
    const server = { title: "A", body: "x của họ", channels: ["speaker", "board"] };
    const { merged, conflicts, theirs } = mergeDraft(base, mine, server);
    expect(merged).toEqual({ title: "A mới", body: "x của tôi", channels: ["speaker", "board"] });
    expect(conflicts).toEqual(["body"]);
    expect(theirs).toEqual(["channels"]);
  });
});
