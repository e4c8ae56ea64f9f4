import { afterEach, describe, expect, it, vi } from "vitest";
import { familyOf, TokenBucketPacer } from "../../src/collect/api-pacing.ts";
import { errorCode } from "../../src/collect/fact.ts";
import type { PacerClock } from "../../src/collect/pacer.ts";
import { AWS_LIMITS } from "../fake-aws/limits.ts";

/** The token-bucket pacer on a virtual clock: when each call is let through, exactly. */

afterEach(() => {
  vi.useRealTimers();
});

function virtualClock(): PacerClock {
  vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout"] });
  return { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
}
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sendTimes(pacer: TokenBucketPacer, calls: number, answerMs: number, key = "a/r") {
  const start = Date.now();
  const sent: number[] = [];
  const runs = Array.from({ length: calls }, () =>
    pacer.run(key, async () => {
      sent.push(Date.now() - start);
      await wait(answerMs);
    }),
  );
  await vi.advanceTimersByTimeAsync(60_000);
  await Promise.all(runs);
  return sent;
}

describe("TokenBucketPacer", () => {
  it("spends the burst at once, then one call a token, each charged when its answer arrived", async () => {
    const pacer = new TokenBucketPacer({ rate: 1, burst: 3, inFlight: 10 }, virtualClock());
    // A bucket charged at send would allow 1000, 2000, 3000; charged at the answer (100 ms later), AWS may
    // have counted each call as late as that, so every later token comes 100 ms later.
    expect(await sendTimes(pacer, 6, 100)).toEqual([0, 0, 0, 1100, 2100, 3100]);
  });

  it("keeps at most inFlight calls of a family on the wire", async () => {
    const pacer = new TokenBucketPacer({ rate: 100, burst: 100, inFlight: 2 }, virtualClock());
    expect(await sendTimes(pacer, 5, 50)).toEqual([0, 0, 50, 50, 100]);
  });

  it("keeps account-Region keys apart", async () => {
    const clock = virtualClock();
    const pacer = new TokenBucketPacer({ rate: 1, burst: 1, inFlight: 1 }, clock);
    const [a, b] = await Promise.all([sendTimes(pacer, 2, 0, "a/r"), sendTimes(pacer, 2, 0, "b/r")]);
    expect(a).toEqual([0, 1000]);
    expect(b).toEqual([0, 1000]);
  });

  it("fails a waiting call at once when the run's deadline passes, and lets no more through", async () => {
    const pacer = new TokenBucketPacer({ rate: 1, burst: 1, inFlight: 1 }, virtualClock());
    const deadline = new AbortController();
    const firstCall = pacer.run("a/r", () => wait(10), deadline.signal);
    const waiting = pacer.run("a/r", () => wait(10), deadline.signal).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    deadline.abort(new Error("--timeout 1s passed"));
    await vi.advanceTimersByTimeAsync(1);
    await firstCall;
    expect(errorCode(await waiting)).toBe("RunTimeout");
  });
});

describe("familyOf", () => {
  it("puts each call the collector makes in the family the benchmark's fake limits it under", () => {
    const calls = [
      ["ecs", "ListClusters"],
      ["ecs", "ListServices"],
      ["ecs", "DescribeServices"],
      ["ecs", "ListTasks"],
      ["ecs", "DescribeTasks"],
      ["iam", "GetRole"],
      ["iam", "GetPolicyVersion"],
    ] as const;
    for (const [service, action] of calls)
      expect(familyOf(service, action), action).toBe(AWS_LIMITS.familyOf(service, action));
  });
});
