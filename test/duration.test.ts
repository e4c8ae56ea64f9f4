import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../src/duration.ts";

describe("durations", () => {
  it.each([
    ["90s", 90_000],
    ["15m", 900_000],
    ["2h", 7_200_000],
    ["1d", 86_400_000],
  ])("parses %s", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["", "15", "15 m", "1.5h", "-5m", "0m", "5w", "15min"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    [0, "0s"],
    [59_999, "59s"],
    [125_000, "2m 5s"],
    [900_000, "15m"],
    [3_661_000, "1h 1m"],
    [90_061_000, "1d 1h"],
    [86_400_000 + 59_000, "1d"],
  ])("formats %i ms as %s", (ms, text) => expect(formatDuration(ms)).toBe(text));
});
