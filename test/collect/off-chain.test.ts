import { afterEach, describe, expect, it } from "vitest";
import { benchAccount, type Shape } from "../../bench/shape.ts";
import type { AwsClients } from "../../src/collect/clients.ts";
import { collect } from "../../src/collect/index.ts";
import type { Scope } from "../../src/facts/types.ts";
import { type FakeAws, type FakeOptions, type RecordedRequest, startFakeAws } from "../fake-aws/server.ts";
import { fakeClients } from "../support/sdk-clients.ts";

/**
 * The reads off ECS's chain (Organizations, CloudTrail, EC2's volumes) wait for ECS's first answer: whatever becomes
 * of that first request (denied, throttled, never sent), they are still read, collect() returns, nothing is sent
 * after it has, and no watcher is left on the ECS client. Read from the fake's request log; nothing here is timed.
 */

const everything: Scope = { clusters: [], services: [], tasks: [], roles: [] };
const small: Shape = { clusters: 1, services: 2, tasks: 20, stoppedTasks: 5, roles: 1, trailEvents: 3 };
const OFF_CHAIN = ["organizations:DescribeOrganization", "cloudtrail:LookupEvents", "ec2:DescribeVolumes"];

let fake: FakeAws | undefined;
let clients: AwsClients | undefined;
afterEach(async () => {
  clients?.destroy();
  await fake?.close();
  fake = undefined;
  clients = undefined;
});

async function serve(options: FakeOptions = {}, ecsConfig: Record<string, unknown> = {}) {
  fake = await startFakeAws(benchAccount(small), options);
  clients = fakeClients(fake, { config: { maxAttempts: 3 }, ecs: ecsConfig });
  return { fake, clients };
}

const named = (api: string) => (r: RecordedRequest) => `${r.service}:${r.action}` === api;

/** collect() has returned: no request may follow it (a read still waiting for ECS, a retry). */
async function nothingAfter(f: FakeAws) {
  const n = f.requests.length;
  await new Promise((r) => setTimeout(r, 150));
  expect(f.requests.length, "requests after collect returned").toBe(n);
}

/** No first-answer watcher left on the client once a run is over. */
function watchers(c: AwsClients): string[] {
  return c.ecs.middlewareStack.identify().filter((m) => m.includes("ecsPreflightFirstAnswer"));
}

describe("the reads off ECS's chain, whatever ECS's first request comes to", () => {
  it("with ECS denied entirely: Organizations, CloudTrail and EC2 are still read, after the denied answer", async () => {
    const { fake, clients } = await serve({ faults: [{ service: "ecs", kind: "access-denied" }] });
    const facts = await collect({ scope: everything, aws: { region: "us-east-1" }, clients });
    expect(facts.ecs?.clusters.ok).toBe(false);
    for (const api of OFF_CHAIN) expect(fake.requests.some(named(api)), api).toBe(true);
    expect(facts.ec2?.volumes.ok).toBe(true);
    expect(facts.organization === undefined || facts.organization.ok).toBe(true);
    const denied = fake.requests.find(named("ecs:ListClusters"));
    for (const api of OFF_CHAIN)
      expect(fake.requests.find(named(api))?.at, api).toBeGreaterThanOrEqual(denied?.endAt ?? Infinity);
    await nothingAfter(fake);
    expect(watchers(clients)).toEqual([]);
  });

  it("with ECS's first attempt throttled: the others go once it is answered, and the run completes", async () => {
    const { fake, clients } = await serve({
      faults: [{ service: "ecs", action: "ListClusters", kind: "throttle", times: 1 }],
    });
    const facts = await collect({ scope: everything, aws: { region: "us-east-1" }, clients });
    expect(facts.ecs?.clusters.ok).toBe(true);
    expect(fake.requests.filter(named("ecs:ListClusters")).length).toBeGreaterThanOrEqual(2);
    for (const api of OFF_CHAIN) expect(fake.requests.some(named(api)), api).toBe(true);
    await nothingAfter(fake);
    expect(watchers(clients)).toEqual([]);
  });

  it("when ECS's first request is never sent (its credentials fail before the HTTP attempt), nothing hangs", async () => {
    const { fake, clients } = await serve(
      {},
      {
        credentials: async () => {
          throw new Error("no credentials for ECS");
        },
      },
    );
    const facts = await collect({ scope: everything, aws: { region: "us-east-1" }, clients });
    expect(fake.requests.some((r) => r.service === "ecs")).toBe(false);
    expect(facts.ecs?.clusters.ok).toBe(false);
    for (const api of OFF_CHAIN) expect(fake.requests.some(named(api)), api).toBe(true);
    await nothingAfter(fake);
    expect(watchers(clients)).toEqual([]);
  });

  it("runs sharing one set of clients (--accounts fan-out with injected clients) each complete and leave no watcher", async () => {
    const { fake, clients } = await serve({ latencyMs: 2 });
    const runs = await Promise.all(
      [0, 1, 2].map(() => collect({ scope: everything, aws: { region: "us-east-1" }, clients })),
    );
    for (const facts of runs) {
      expect(facts.ecs?.clusters.ok).toBe(true);
      expect(facts.ec2?.volumes.ok).toBe(true);
    }
    expect(fake.requests.filter(named("ec2:DescribeVolumes")).length).toBeGreaterThanOrEqual(3);
    await nothingAfter(fake);
    expect(watchers(clients)).toEqual([]);
  });

  it("a --task-only scope (ECS read by DescribeTasks) still reads the off-chain facts and returns", async () => {
    const { fake, clients } = await serve();
    const list = await collect({ scope: everything, aws: { region: "us-east-1" }, clients, volumes: false });
    const clusters = list.ecs?.clusters.ok ? list.ecs.clusters.value : [];
    const [c] = clusters;
    const [task] = c?.tasks.ok ? c.tasks.value : [];
    expect(task).toBeDefined();
    if (!c || !task) return;
    fake.requests.length = 0;
    const facts = await collect({
      scope: { ...everything, clusters: [c.arn], tasks: [task.arn] },
      aws: { region: "us-east-1" },
      clients,
    });
    expect(fake.requests.some(named("ecs:DescribeTasks"))).toBe(true);
    for (const api of OFF_CHAIN) expect(fake.requests.some(named(api)), api).toBe(true);
    expect(facts.ec2?.volumes.ok).toBe(true);
    await nothingAfter(fake);
    expect(watchers(clients)).toEqual([]);
  });
});
