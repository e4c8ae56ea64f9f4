import { CloudTrailClient, paginateLookupEvents } from "@aws-sdk/client-cloudtrail";
import { ConfiguredRetryStrategy } from "@smithy/util-retry";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EBS_SESSION_NAME, TLS_SESSION_NAME } from "../../src/analysis/trail-links.ts";
import { collectTrail, lookupEventsPacer } from "../../src/collect/cloudtrail.ts";
import { type PacerClock, RequestPacer } from "../../src/collect/pacer.ts";
import type { FakeTrailEvent } from "../fake-aws/account.ts";
import { ACCOUNT_ID, roleArnOf, trailEvent } from "../fake-aws/builders.ts";
import { startFakeAws } from "../fake-aws/server.ts";

/** The largest number of requests that arrived within any 1000 ms: the limit as the service would measure it. */
function busiestSecond(arrivals: readonly number[]): number {
  const at = [...arrivals].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < at.length; j++) {
    while ((at[j] as number) - (at[i] as number) >= 1000) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

describe("RequestPacer on a virtual clock", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Virtual time: Date.now and setTimeout are faked, so waits are exact and instant. */
  function virtualClock(): PacerClock {
    vi.useFakeTimers({ toFake: ["Date", "setTimeout", "clearTimeout"] });
    return { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
  }
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("lets 2 through, then holds each slot until 1 s after its answer", async () => {
    const clock = virtualClock();
    const start = Date.now();
    const pacer = new RequestPacer({ limit: 2, windowMs: 1000, clock });
    const sent: number[] = [];
    const requests = Array.from({ length: 6 }, () =>
      pacer.run("111122223333/us-east-1", async () => {
        sent.push(Date.now() - start);
        await wait(50); // the answer takes 50 ms
      }),
    );
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(requests);
    expect(sent).toEqual([0, 0, 1050, 1050, 2100, 2100]);
  });

  it("keeps account/Region keys apart", async () => {
    const clock = virtualClock();
    const start = Date.now();
    const pacer = new RequestPacer({ limit: 2, windowMs: 1000, clock });
    const sent: Record<string, number[]> = { a: [], b: [] };
    const requests = ["a", "b", "a", "b", "a", "b"].map((key) =>
      pacer.run(key, async () => {
        sent[key]?.push(Date.now() - start);
      }),
    );
    await vi.advanceTimersByTimeAsync(5_000);
    await Promise.all(requests);
    expect(sent).toEqual({ a: [0, 0, 1000], b: [0, 0, 1000] });
  });

  it("counts a slow answer's window from when the answer arrived", async () => {
    const clock = virtualClock();
    const start = Date.now();
    const pacer = new RequestPacer({ limit: 2, windowMs: 1000, clock });
    const sent: number[] = [];
    const request = (ms: number) =>
      pacer.run("k", async () => {
        sent.push(Date.now() - start);
        await wait(ms);
      });
    const requests = [request(3000), request(3000), request(0)];
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(requests);
    expect(sent).toEqual([0, 0, 4000]);
  });

  it("frees the slot of a request that failed, a window after it failed", async () => {
    const clock = virtualClock();
    const start = Date.now();
    const pacer = new RequestPacer({ limit: 2, windowMs: 1000, clock });
    const sent: number[] = [];
    const request = (fail: boolean) =>
      pacer.run("k", async () => {
        sent.push(Date.now() - start);
        if (fail) throw new Error("ThrottlingException");
      });
    const failed = [request(true), request(true)];
    const next = request(false);
    await Promise.all(failed.map((p) => expect(p).rejects.toThrow("ThrottlingException")));
    await vi.advanceTimersByTimeAsync(5_000);
    await next;
    expect(sent).toEqual([0, 0, 1000]);
  });
});

describe("LookupEvents pacing, measured from the fake's request log", () => {
  const ROLE = roleArnOf("ecsInfrastructureRole");
  const NOW = new Date("2026-11-28T12:00:00Z");
  const events = (sessionName: string, n: number): FakeTrailEvent[] =>
    Array.from({ length: n }, (_, i) =>
      trailEvent({
        eventName: "DescribeVolumes",
        eventTime: new Date(NOW.getTime() - (i + 1) * 60_000).toISOString(),
        roleArn: ROLE,
        sessionName,
      }),
    );

  async function fakeWithPages() {
    // One event a page: 3 pages for each session name, 6 requests in all.
    return startFakeAws(
      {
        accountId: ACCOUNT_ID,
        trailEvents: [...events(EBS_SESSION_NAME, 3), ...events(TLS_SESSION_NAME, 3)],
      },
      { pageSize: { cloudtrail: 1 }, now: () => NOW },
    );
  }

  it("the measurement catches an unpaced client (control)", async () => {
    const fake = await fakeWithPages();
    const client = new CloudTrailClient(fake.clientConfig());
    try {
      const input = {
        LookupAttributes: [{ AttributeKey: "Username" as const, AttributeValue: EBS_SESSION_NAME }],
      };
      for await (const _ of paginateLookupEvents({ client }, input)) {
        // every page, as fast as the SDK goes
      }
      expect(busiestSecond(fake.requests.map((r) => r.at))).toBe(3);
    } finally {
      client.destroy();
      await fake.close();
    }
  });

  it("never sends 3 within a second: both session names in parallel, SDK retries of throttled calls included", async () => {
    const fake = await fakeWithPages();
    // Zero back-off: an unpaced retry would go out at once.
    const client = new CloudTrailClient({
      ...fake.clientConfig(),
      retryStrategy: new ConfiguredRetryStrategy(3, () => 0),
    });
    fake.setFaults([{ service: "cloudtrail", action: "LookupEvents", kind: "throttle", every: 2, times: 2 }]);
    try {
      const trail = await collectTrail(client, {
        sessionNames: [EBS_SESSION_NAME, TLS_SESSION_NAME],
        startTime: new Date(NOW.getTime() - 86_400_000),
        endTime: NOW,
        inScope: () => true,
        pacer: lookupEventsPacer(),
        paceKey: `${ACCOUNT_ID}/us-east-1`,
      });
      const lookups = fake.requests.filter((r) => r.service === "cloudtrail" && r.action === "LookupEvents");
      expect(lookups).toHaveLength(8); // 6 pages + 2 retries
      expect(lookups.filter((r) => r.status === 400)).toHaveLength(2); // the throttled attempts reached the fake
      expect(busiestSecond(lookups.map((r) => r.at))).toBeLessThanOrEqual(2);
      expect(trail.sessions[EBS_SESSION_NAME]).toMatchObject({ ok: true, value: { length: 3 } });
      expect(trail.sessions[TLS_SESSION_NAME]).toMatchObject({ ok: true, value: { length: 3 } });
    } finally {
      client.destroy();
      await fake.close();
    }
  });
});
