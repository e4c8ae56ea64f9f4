import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { describe, expect, test } from "vitest";
import { AWS_LIMITS, RateLimiter } from "./limits.ts";
import { startFakeAws } from "./server.ts";

describe("RateLimiter", () => {
  test("a bucket lets its burst through at once, then refills at its rate", () => {
    let now = 0;
    const limiter = new RateLimiter({ ...AWS_LIMITS, now: () => now });
    const admitted = () => limiter.admit("ecs", "ListClusters");
    // Cluster reads: burst 50, 20 a second.
    expect(Array.from({ length: 51 }, admitted).filter(Boolean)).toHaveLength(50);
    now += 100; // 0.1 s refills 2 tokens
    expect([admitted(), admitted(), admitted()]).toEqual([true, true, false]);
  });

  test("families and account-Regions have buckets of their own; unlimited actions always pass", () => {
    const limiter = new RateLimiter({ ...AWS_LIMITS, now: () => 0 });
    expect([1, 2, 3].map(() => limiter.admit("cloudtrail", "LookupEvents", "a/us-east-1"))).toEqual([
      true,
      true,
      false,
    ]);
    expect(limiter.admit("cloudtrail", "LookupEvents", "b/us-east-1")).toBe(true);
    expect(limiter.admit("ecs", "DescribeTasks", "a/us-east-1")).toBe(true);
    expect(Array.from({ length: 500 }, () => limiter.admit("sts", "GetCallerIdentity")).every(Boolean)).toBe(
      true,
    );
  });
});

describe("the fake with rate limits", () => {
  test("an over-limit call is throttled the way the service throttles, and the log says the limit did it", async () => {
    const fake = await startFakeAws(
      { accountId: "111122223333" },
      { limits: { ...AWS_LIMITS, now: () => 0 } }, // a frozen clock: nothing refills
    );
    try {
      const trail = new CloudTrailClient({ ...fake.clientConfig(), maxAttempts: 1 });
      const ecs = new ECSClient({ ...fake.clientConfig(), maxAttempts: 1 });
      const lookups = await Promise.allSettled([1, 2, 3].map(() => trail.send(new LookupEventsCommand({}))));
      expect(lookups.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
      const third = lookups[2] as PromiseRejectedResult;
      expect(third.reason.name).toBe("ThrottlingException");
      expect(fake.requests.filter((r) => r.throttled).map((r) => r.action)).toEqual(["LookupEvents"]);
      // Another family still has its tokens.
      await expect(ecs.send(new ListClustersCommand({}))).resolves.toBeDefined();
      expect(fake.requests.every((r) => r.endAt !== undefined && r.endAt >= r.at)).toBe(true);
      trail.destroy();
      ecs.destroy();
    } finally {
      await fake.close();
    }
  });
});
