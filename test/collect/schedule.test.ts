import { afterEach, describe, expect, it } from "vitest";
import { benchAccount, minimumCalls, type Shape, taskId } from "../../bench/shape.ts";
import { ApiPacing } from "../../src/collect/api-pacing.ts";
import type { AwsClients } from "../../src/collect/clients.ts";
import { lookupEventsPacer } from "../../src/collect/cloudtrail.ts";
import { collect } from "../../src/collect/index.ts";
import type { Scope } from "../../src/facts/types.ts";
import { AWS_LIMITS } from "../fake-aws/limits.ts";
import { type FakeAws, type FakeOptions, type RecordedRequest, startFakeAws } from "../fake-aws/server.ts";
import { fakeClients } from "../support/sdk-clients.ts";

/**
 * How collection is scheduled, read from the fake's request log: the calls for an account shape are the minimum,
 * independent reads overlap, and paced calls stay under AWS's rate limits. Overlap is made deterministic by holding
 * one answer until the overlapping request has arrived (a collector that waited for it would wait in vain and fail).
 * Nothing here is timed.
 */

const everything: Scope = { clusters: [], services: [], tasks: [], roles: [] };

let fake: FakeAws | undefined;
let clients: AwsClients | undefined;
afterEach(async () => {
  clients?.destroy();
  await fake?.close();
  fake = undefined;
  clients = undefined;
});

async function serve(shape: Shape, options: FakeOptions = {}, maxAttempts = 3) {
  fake = await startFakeAws(benchAccount(shape), options);
  clients = fakeClients(fake, { config: { maxAttempts } });
  return { fake, clients };
}

const named = (api: string) => (r: RecordedRequest) => `${r.service}:${r.action}` === api;
const byApi = (requests: readonly RecordedRequest[]) => {
  const out: Record<string, number> = {};
  for (const r of requests) out[`${r.service}:${r.action}`] = (out[`${r.service}:${r.action}`] ?? 0) + 1;
  return out;
};
const first = (requests: readonly RecordedRequest[], api: string) => requests.find(named(api));
const lastEnd = (requests: readonly RecordedRequest[], api: string) =>
  Math.max(...requests.filter(named(api)).map((r) => r.endAt ?? Number.POSITIVE_INFINITY));

describe("collect() makes the fewest calls the account allows", () => {
  it("for a shape of 3 clusters, 1,000 tasks on several pages, 3 roles sharing 2 managed policies: the minimum per API", async () => {
    const shape: Shape = {
      clusters: 3,
      services: 25,
      tasks: 1000,
      stoppedTasks: 300,
      roles: 3,
      trailEvents: 120,
    };
    const { fake, clients } = await serve(shape, { latencyMs: 2 });
    const facts = await collect({ scope: everything, aws: { region: "us-east-1" }, clients });
    expect(byApi(fake.requests)).toEqual(
      Object.fromEntries(Object.entries(minimumCalls(shape)).filter(([, n]) => n > 0)),
    );
    // Nothing was lost for it: every task, every role, both policies, every volume and event.
    const clusters = facts.ecs?.clusters.ok ? facts.ecs.clusters.value : [];
    expect(clusters.flatMap((c) => (c.tasks.ok ? c.tasks.value : []))).toHaveLength(1000);
    expect(facts.roles.map((r) => r.name).sort()).toEqual(["infra-0", "infra-1", "infra-2"]);
    expect(Object.keys(facts.managedPolicies)).toHaveLength(2);
    expect(facts.ec2?.volumes.ok && facts.ec2.volumes.value).toHaveLength(700);
    const events = facts.trail?.sessions.ECSTaskVolumesForEBS;
    expect(events?.ok && events.value).toHaveLength(120);
  });

  it("describes each cluster's tasks 100 a call across its RUNNING and STOPPED listings, in listing order", async () => {
    // 150 RUNNING + 50 STOPPED: 2 describes, not 3 (one per listing's remainder would be 3).
    const shape: Shape = { clusters: 1, services: 1, tasks: 200, stoppedTasks: 50, roles: 1, trailEvents: 1 };
    const { fake, clients } = await serve(shape);
    const facts = await collect({ scope: everything, aws: { region: "us-east-1" }, clients, volumes: false });
    const describes = fake.requests.filter(named("ecs:DescribeTasks"));
    expect(describes.map((r) => (r.params.tasks as string[]).length)).toEqual([100, 100]);
    const cluster = facts.ecs?.clusters.ok ? facts.ecs.clusters.value[0] : undefined;
    const tasks = cluster?.tasks.ok ? cluster.tasks.value : [];
    // The fake lists in account order: RUNNING (tasks 50–199), then STOPPED (0–49); the facts keep that order.
    expect(tasks.map((t) => t.arn.slice(t.arn.lastIndexOf("/") + 1))).toEqual([
      ...Array.from({ length: 150 }, (_, i) => taskId(0, i + 50)),
      ...Array.from({ length: 50 }, (_, i) => taskId(0, i)),
    ]);
  });
});

describe("collect() starts every read that needs nothing earlier at once", () => {
  const small: Shape = { clusters: 2, services: 4, tasks: 450, stoppedTasks: 120, roles: 2, trailEvents: 60 };

  it("reads IAM for a --role role while ListClusters is unanswered (check --before-role-change)", async () => {
    const { fake, clients } = await serve(small, {
      latencyMs: 2,
      // STS and ListClusters both wait for the others: neither may be what the others wait for.
      hold: {
        when: (r) => named("ecs:ListClusters")(r) || named("sts:GetCallerIdentity")(r),
        until: (log) => log.some(named("iam:GetRole")) && log.some(named("ecs:ListClusters")),
      },
    });
    await collect({
      scope: { ...everything, roles: ["infra-0"] },
      aws: { region: "us-east-1" },
      clients,
      ecsForRoles: true,
    });
    const getRole = first(fake.requests, "iam:GetRole");
    expect(getRole?.params.RoleName).toBe("infra-0");
    expect(getRole?.at).toBeLessThanOrEqual(lastEnd(fake.requests, "ecs:ListClusters"));
    // STS too: nothing waits for the caller's account but what needs it (a role named by ARN, cluster ARNs).
    expect(first(fake.requests, "ecs:ListClusters")?.at).toBeLessThanOrEqual(
      lastEnd(fake.requests, "sts:GetCallerIdentity"),
    );
  });

  it("sends ECS's first request ahead of the reads off its chain: Organizations, CloudTrail and EC2 wait for its answer", async () => {
    const offChain = ["organizations:DescribeOrganization", "cloudtrail:LookupEvents", "ec2:DescribeVolumes"];
    const { fake, clients } = await serve(small, {
      latencyMs: 2,
      // Sent beside ListClusters, they would arrive while it is held, and release it at once.
      hold: {
        when: named("ecs:ListClusters"),
        until: (log) => offChain.some((api) => log.some(named(api))),
        timeoutMs: 300,
      },
    });
    const facts = await collect({ scope: everything, aws: { region: "us-east-1" }, clients });
    const listed = lastEnd(fake.requests, "ecs:ListClusters");
    for (const api of offChain) expect(first(fake.requests, api)?.at, api).toBeGreaterThanOrEqual(listed);
    // STS is not held back: ECS's cluster ARNs and IAM's account come from it.
    expect(first(fake.requests, "sts:GetCallerIdentity")?.at).toBeLessThanOrEqual(listed);
    expect(facts.ec2?.volumes.ok && facts.organization?.ok && facts.trail).toBeTruthy();
  });

  it("does not hold the reads off ECS's chain when ECS is not read (a --role scope)", async () => {
    const { fake, clients } = await serve(small, { latencyMs: 2 });
    const facts = await collect({
      scope: { ...everything, roles: ["infra-0"] },
      aws: { region: "us-east-1" },
      clients,
    });
    expect(fake.requests.some(named("ecs:ListClusters"))).toBe(false);
    expect(first(fake.requests, "cloudtrail:LookupEvents")).toBeDefined();
    expect(facts.trail?.sessions).toBeDefined();
  });

  it("reads EC2 volumes, CloudTrail and a service's role while tasks are still being described", async () => {
    const { fake, clients } = await serve(small, {
      latencyMs: 2,
      hold: {
        when: named("ecs:DescribeTasks"),
        until: (log) =>
          log.some(named("ec2:DescribeVolumes")) &&
          log.some(named("cloudtrail:LookupEvents")) &&
          log.some(named("iam:GetRole")),
      },
    });
    const facts = await collect({ scope: everything, aws: { region: "us-east-1" }, clients });
    const describesEnd = lastEnd(fake.requests, "ecs:DescribeTasks");
    for (const api of ["ec2:DescribeVolumes", "cloudtrail:LookupEvents", "iam:GetRole"])
      expect(first(fake.requests, api)?.at, api).toBeLessThanOrEqual(describesEnd);
    expect(facts.roles).toHaveLength(2);
  });

  it("reads the deployer that created a service (pass-role's default principal) while tasks are still being described", async () => {
    const isDeployerRead = (r: RecordedRequest) => named("iam:GetRole")(r) && r.params.RoleName === "deploy";
    const { fake, clients } = await serve(small, {
      latencyMs: 2,
      hold: { when: named("ecs:DescribeTasks"), until: (log) => log.some(isDeployerRead) },
    });
    const facts = await collect({ scope: everything, aws: { region: "us-east-1" }, clients });
    expect(fake.requests.find(isDeployerRead)?.at).toBeLessThanOrEqual(
      lastEnd(fake.requests, "ecs:DescribeTasks"),
    );
    // Read once, through the roles' memo: the early read is the one pass-role judges.
    expect(fake.requests.filter(isDeployerRead)).toHaveLength(1);
    expect(facts.principals?.map((p) => p.facts.ok && p.facts.value.kind)).toEqual(["role"]);
  });

  it("describes a cluster's first tasks while its listing goes on", async () => {
    // STOPPED pages come after RUNNING ones (see ecs.ts); they wait until a describe of their cluster has arrived.
    const { fake, clients } = await serve(small, {
      latencyMs: 2,
      hold: {
        when: (r) => named("ecs:ListTasks")(r) && r.params.desiredStatus === "STOPPED",
        until: (log) =>
          ["cluster-0", "cluster-1"].every((c) =>
            log.some((r) => named("ecs:DescribeTasks")(r) && String(r.params.cluster).endsWith(c)),
          ),
      },
    });
    await collect({ scope: everything, aws: { region: "us-east-1" }, clients });
    for (const cluster of ["cluster-0", "cluster-1"]) {
      const mine = fake.requests.filter((r) => String(r.params.cluster).endsWith(cluster));
      expect(first(mine, "ecs:DescribeTasks")?.at, cluster).toBeLessThanOrEqual(
        lastEnd(mine, "ecs:ListTasks"),
      );
    }
    // Still the minimum: batching as pages arrive costs no extra call.
    expect(fake.requests.filter(named("ecs:DescribeTasks"))).toHaveLength(
      minimumCalls(small)["ecs:DescribeTasks"] as number,
    );
  });
});

describe("collect() paced under AWS's rate limits", () => {
  // 6 clusters of 900 tasks: 114 task reads against a burst of 100; 8 roles: 28 IAM reads against 20; 3 LookupEvents pages against 2.
  const busy: Shape = {
    clusters: 6,
    services: 24,
    tasks: 5400,
    stoppedTasks: 1620,
    roles: 8,
    trailEvents: 120,
  };

  it("needs more calls than AWS's bursts allow (control: the fake's buckets never refill, nothing paced)", async () => {
    const { fake, clients } = await serve(busy, { limits: { ...AWS_LIMITS, now: () => 0 } }, 1);
    await collect({ scope: everything, aws: { region: "us-east-1" }, clients });
    const throttled = fake.requests.filter((r) => r.throttled);
    expect(new Set(throttled.map((r) => AWS_LIMITS.familyOf(r.service, r.action)))).toEqual(
      new Set(["ecs:cluster-resource-read", "iam", "cloudtrail:lookup-events"]),
    );
  });

  it("sends no call AWS would throttle, and still the minimum", async () => {
    const { fake, clients } = await serve(busy, { limits: AWS_LIMITS });
    const facts = await collect({
      scope: everything,
      aws: { region: "us-east-1" },
      clients,
      pacing: new ApiPacing(),
      trailPacer: lookupEventsPacer(),
    });
    expect(fake.requests.filter((r) => r.throttled)).toEqual([]);
    expect(byApi(fake.requests)).toEqual(
      Object.fromEntries(Object.entries(minimumCalls(busy)).filter(([, n]) => n > 0)),
    );
    expect(facts.roles).toHaveLength(8);
  });
});
