import { describe, expect, it } from "vitest";
import { formatDateTime, formatDay } from "./date-time";

describe("formatDateTime", () => {
  it("gives day, month, year, 24-hour time and a named time zone", () => {
    const text = formatDateTime("2026-12-07T13:20:44.000Z");
    expect(text).toMatch(/^\d{1,2} Dec 2026, \d{2}:\d{2}:44 \S+/);
    // The zone is named (UTC, EAT, GMT+3, …), never left out.
    expect(text.split(" ").length).toBeGreaterThanOrEqual(5);
  });

  it("shows a dash (or the given text) for a missing or invalid time", () => {
    expect(formatDateTime(null)).toBe("—");
    expect(formatDateTime("not a date", "Never")).toBe("Never");
  });
});

describe("formatDay", () => {
  it("names a UTC day without shifting it into the viewer's zone", () => {
    expect(formatDay("2026-12-07")).toBe("7 Dec 2026");
  });
});
