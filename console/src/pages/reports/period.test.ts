import { describe, expect, it } from "vitest";

import { canReview, canWrite, createBody, lastMonth, periodKey } from "./period";

describe("report periods", () => {
  it("names a day's month, quarter and year as the API does", () => {
    expect(periodKey("monthly", "2031-11-20")).toBe("2031-11");
    expect(periodKey("quarterly", "2031-11-20")).toBe("2031-Q4");
    expect(periodKey("adhoc", "2031-11-20")).toBe("adhoc");
    expect(periodKey("quarterly", "2031-03-31")).toBe("2031-Q1");
    expect(periodKey("annual", "2031-11-20")).toBe("2031");
    expect(createBody("21550", "annual", "2031")).toEqual({ unit: "21550", period: "annual", year: 2031 });
    expect(createBody("21550", "quarterly", "2031-Q4")).toEqual({ unit: "21550", period: "quarterly", quarter: "2031-Q4" });
  });

  it("takes last month across a new year", () => {
    expect(lastMonth("2031-01-05")).toBe("2030-12-01");
    expect(lastMonth("2031-10-05")).toBe("2031-09-01");
  });

  it("offers writing to the unit and review strictly from above", () => {
    const report = { path: ["52", "540", "21550"], unit: "21550", status: "submitted" };
    expect(canReview(report, "540", true)).toBe(true);
    expect(canReview(report, "21550", true)).toBe(false); // its own unit
    expect(canReview(report, "547", true)).toBe(false); // another district
    expect(canReview({ ...report, status: "draft" }, "540", true)).toBe(false);
    expect(canWrite(report, "21550", true)).toBe(false); // submitted: frozen
    expect(canWrite({ ...report, status: "returned" }, "21550", true)).toBe(true);
    expect(canWrite({ ...report, status: "draft" }, "21550", false)).toBe(false);
  });
});
