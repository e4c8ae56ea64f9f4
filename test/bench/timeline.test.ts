import { describe, expect, it } from "vitest";
import { type TimedRequest, timelineOf } from "../../bench/timeline.ts";

/**
 * bench/timeline.ts reads a run's timeline from the fake's request log: the figures issue 18's critical path is
 * judged by (time to first request, the waves, the gaps with nothing in flight), so each is pinned on a known log.
 */
const req = (api: string, at: number, endAt: number): TimedRequest => ({ api, at, endAt });

describe("timelineOf", () => {
  // Start-up to 200 ms; a first wave of two overlapping calls; a 150 ms gap; a chain of two pages 2 ms apart.
  const log = [
    req("ecs:ListClusters", 205, 236),
    req("sts:GetCallerIdentity", 200, 231),
    req("ecs:ListTasks", 386, 417),
    req("ecs:ListTasks", 419, 450),
  ];
  const t = timelineOf(log, 480, 30);

  it("times the first request from the process's start, whatever order the log is in", () => {
    expect(t.firstRequestMs).toBe(200);
    expect(t.requests).toBe(4);
    expect(t.exitMs).toBe(480);
    expect(t.lastAnswerMs).toBe(450);
  });

  it("cuts waves at a pause with nothing in flight, and names what came before and after it", () => {
    expect(t.waves.map((w) => [w.startMs, w.endMs, w.requests])).toEqual([
      [200, 236, 2],
      [386, 450, 2],
    ]);
    expect(t.gaps).toEqual([
      { startMs: 236, endMs: 386, after: ["ecs:ListClusters"], before: ["ecs:ListTasks"] },
    ]);
    expect(t.waves[0]?.openedBy).toEqual(["sts:GetCallerIdentity", "ecs:ListClusters"]);
  });

  it("keeps a pause shorter than a gap inside its wave, counted as idle", () => {
    expect(t.waves[1]?.idleMs).toBe(2);
    const strict = timelineOf(log, 480, 30, 2);
    expect(strict.waves).toHaveLength(3);
    expect(strict.gaps.map((g) => g.endMs - g.startMs)).toEqual([150, 2]);
  });

  it("counts the round trips in sequence inside a wave, and floors the wave at their answers' time", () => {
    // Overlapping calls are one round trip; the two pages are two.
    expect(t.waves.map((w) => w.roundTrips)).toEqual([1, 2]);
    expect(t.waves.map((w) => w.floorMs)).toEqual([31, 62]);
    expect(t.waves[1]?.apis).toEqual({ "ecs:ListTasks": 2 });
  });

  it("takes the fake's own service time as the median time beyond the added latency", () => {
    const slow = timelineOf([req("a", 0, 31), req("b", 40, 75), req("c", 80, 111)], 120, 30);
    expect(slow.serviceMs).toBe(1);
  });

  it("joins a request that leaves in the very ms the last answer arrived (the log counts whole ms)", () => {
    const t2 = timelineOf([req("a", 10, 20), req("b", 20, 30)], 40, 0, 1);
    expect(t2.waves).toHaveLength(1);
    expect(t2.waves[0]?.roundTrips).toBe(2);
    expect(t2.gaps).toEqual([]);
  });
});
