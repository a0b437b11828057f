import { describe, expect, it } from "vitest";

import { formatDate, formatDateTime, todayInVietnam } from "./format";

describe("times in Asia/Ho_Chi_Minh", () => {
  it("takes the calendar day in Vietnam, not in UTC", () => {
    // 18:30 UTC is already 01:30 the next day in Vietnam (UTC+7).
    const evening = new Date(Date.UTC(2030, 0, 31, 18, 30));
    expect(todayInVietnam(evening)).toBe("2030-02-01");
  });

  it("reads a bare day as that day in Vietnam", () => {
    expect(formatDate("2031-03-09", "vi")).toBe("09/03/2031");
    expect(formatDate("2031-03-09", "en")).toBe("09/03/2031");
  });

  it("shows instants in Vietnam's time", () => {
    expect(formatDateTime("2031-03-09T00:05:00Z", "vi")).toContain("07:05");
  });
});
