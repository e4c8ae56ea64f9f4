import { ECSClient } from "@aws-sdk/client-ecs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { collectEcs } from "../../src/collect/ecs.ts";
import { type EcsReads, ecsReadsFor } from "../../src/collect/ecs-reads.ts";
import { InputError } from "../../src/errors.ts";
import type { ClusterFacts, Fact, Scope } from "../../src/facts/types.ts";
import type { FakeTask } from "../fake-aws/account.ts";
import { ACCOUNT_ID, ebsService, ebsTask, REGION, roleArnOf } from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";

/** The ECS collector through the real SDK against the fake AWS: which calls, which pages, which facts kept. */

const EBS_ROLE = roleArnOf("ebs-role");
const TLS_ROLE = roleArnOf("tls-role");
const TASK_ROLE = roleArnOf("standalone-role");
const OLD_ROLE = roleArnOf("old-deployment-role");
const GONE_ROLE = roleArnOf("stopped-only-role");
const ECS = `arn:aws:ecs:${REGION}:${ACCOUNT_ID}`;
const STOPPING = "2026-01-01T00:00:00.000Z";

const web = ebsService({ name: "web", roleArn: EBS_ROLE, tlsRoleArn: TLS_ROLE });
// The legacy load-balancer role on the service is not an infrastructure role; an INACTIVE deployment's role is history.
Object.assign(web, { roleArn: roleArnOf("aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS") });
(web.deployments as object[]).push({
  id: "ecs-svc/old",
  status: "INACTIVE",
  volumeConfigurations: [{ name: "data", managedEBSVolume: { roleArn: OLD_ROLE } }],
});

const plain = (id: string, desiredStatus = "RUNNING"): FakeTask => ({
  id,
  lastStatus: desiredStatus,
  desiredStatus,
  group: "family:batch",
});

let fake: FakeAws;
let ecs: ECSClient;
beforeAll(async () => {
  fake = await startFakeAws(
    {
      accountId: ACCOUNT_ID,
      clusters: [
        {
          name: "prod",
          services: [web, ...Array.from({ length: 11 }, (_, i) => ({ name: `svc${i}` }))],
          tasks: [
            ebsTask({ id: "web1", roleArn: EBS_ROLE, service: "web", volumeId: "vol-web1" }),
            ebsTask({
              id: "stuck",
              roleArn: EBS_ROLE,
              service: "web",
              lastStatus: "DEPROVISIONING",
              volumeId: "vol-stuck",
              statusReason: "ECS was unable to assume the configured ECS Infrastructure Role",
              stoppingAt: STOPPING,
              executionStoppedAt: "2026-01-01T00:00:31.000Z",
            }),
            ebsTask({ id: "alone", roleArn: TASK_ROLE }),
            ebsTask({ id: "finished", roleArn: GONE_ROLE, lastStatus: "STOPPED" }),
          ],
        },
        {
          name: "bulk",
          tasks: [
            ...Array.from({ length: 150 }, (_, i) => plain(`r${i}`)),
            ...Array.from({ length: 100 }, (_, i) => plain(`s${i}`, "STOPPED")),
          ],
        },
      ],
    },
    { pageSize: { ecs: 100 } },
  );
  ecs = new ECSClient({ ...fake.clientConfig(), maxAttempts: 1 });
});
afterAll(async () => {
  ecs.destroy();
  await fake.close();
});
afterEach(() => fake.setFaults([]));

const scope = (s: Partial<Scope> = {}): Scope => ({ clusters: [], services: [], tasks: [], roles: [], ...s });
const options = { region: REGION, account: ACCOUNT_ID };

/** Runs the collector and returns its result with the requests it made. */
async function collectWith(s: Partial<Scope>, extra: { pageSize?: number } = {}) {
  const before = fake.requests.length;
  const result = await collectEcs(ecs, scope(s), { ...options, ...extra });
  const calls = fake.requests.slice(before);
  return { ...result, calls, count: (action: string) => calls.filter((c) => c.action === action).length };
}

function clustersOf(clusters: Fact<ClusterFacts[]>): ClusterFacts[] {
  if (!clusters.ok) throw new Error(`clusters: ${clusters.error.api} ${clusters.error.code}`);
  return clusters.value;
}

function clusterNamed(clusters: Fact<ClusterFacts[]>, name: string): ClusterFacts {
  const found = clustersOf(clusters).find((c) => c.name === name);
  if (!found) throw new Error(`no cluster ${name}`);
  return found;
}

describe("collectEcs", () => {
  it("with no scope, discovers every cluster and keeps the task facts DESIGN lists", async () => {
    const { facts, count } = await collectWith({});
    expect(count("ListClusters")).toBe(1);
    expect(clustersOf(facts.clusters).map((c) => [c.name, c.arn])).toEqual([
      ["prod", `${ECS}:cluster/prod`],
      ["bulk", `${ECS}:cluster/bulk`],
    ]);
    const prod = clusterNamed(facts.clusters, "prod");
    const stuck = prod.tasks.ok ? prod.tasks.value.find((t) => t.arn.endsWith("/stuck")) : undefined;
    expect(stuck).toEqual({
      arn: `${ECS}:task/prod/stuck`,
      clusterArn: `${ECS}:cluster/prod`,
      group: "service:web",
      startedBy: "ecs-svc/7851020056849183687",
      lastStatus: "DEPROVISIONING",
      desiredStatus: "STOPPED",
      stopCode: "UserInitiated",
      stoppedReason: "Task stopped by user",
      stoppingAt: STOPPING,
      executionStoppedAt: "2026-01-01T00:00:31.000Z",
      // Kept so volume-permissions knows whether DetachVolume is also needed on an EC2 instance.
      launchType: "FARGATE",
      ebsAttachments: [
        {
          id: expect.any(String),
          status: "DETACHING",
          roleArn: EBS_ROLE,
          volumeId: "vol-stuck",
          volumeName: "data",
          deleteOnTermination: "true",
          statusReason: "ECS was unable to assume the configured ECS Infrastructure Role",
        },
      ],
    });
  });

  it("lists tasks with desiredStatus RUNNING and STOPPED, every page, and describes 100 a call", async () => {
    const { facts, calls, count } = await collectWith({ clusters: ["bulk"] });
    const listings = calls
      .filter((c) => c.action === "ListTasks")
      .map((c) => [c.params.desiredStatus, Boolean(c.params.nextToken)]);
    // 150 RUNNING on two pages of 100, then 100 STOPPED on one page.
    expect(listings).toEqual([
      ["RUNNING", false],
      ["RUNNING", true],
      ["STOPPED", false],
    ]);
    const describes = calls
      .filter((c) => c.action === "DescribeTasks")
      .map((c) => (c.params.tasks as string[]).length);
    expect(describes.sort((a, b) => b - a)).toEqual([100, 100, 50]); // 250 distinct tasks → 3 calls
    expect(count("ListServices")).toBe(1);
    expect(count("DescribeServices")).toBe(0); // no services in the cluster: nothing to describe
    const bulk = clusterNamed(facts.clusters, "bulk");
    expect(bulk.tasks.ok && bulk.tasks.value.length).toBe(250);
  });

  it("describes services 10 a call and reads the EBS and TLS roles from live deployments only", async () => {
    const { facts, roleRefs, count } = await collectWith({ clusters: ["prod"] }, { pageSize: 5 });
    expect(count("ListServices")).toBe(3); // 12 services, 5 a page
    expect(count("DescribeServices")).toBe(2); // 10 + 2
    const prod = clusterNamed(facts.clusters, "prod");
    expect(prod.services.ok && prod.services.value[0]).toEqual({
      arn: `${ECS}:service/prod/web`,
      name: "web",
      status: "ACTIVE",
      infrastructureRoles: [
        { roleArn: EBS_ROLE, use: "ebs", deploymentId: "ecs-svc/7851020056849183687" },
        { roleArn: TLS_ROLE, use: "service-connect-tls", deploymentId: "ecs-svc/7851020056849183687" },
      ],
      deploymentIds: ["ecs-svc/7851020056849183687", "ecs-svc/old"],
      desiredCount: 1,
      runningCount: 1,
      pendingCount: 0,
    });
    const refs = roleRefs.map((r) => [r.ref, r.by]);
    expect(refs).toContainEqual([
      EBS_ROLE,
      { kind: "service", cluster: `${ECS}:cluster/prod`, service: "web", use: "ebs" },
    ]);
    expect(refs).toContainEqual([
      TLS_ROLE,
      { kind: "service", cluster: `${ECS}:cluster/prod`, service: "web", use: "service-connect-tls" },
    ]);
    expect(refs).toContainEqual([
      EBS_ROLE,
      {
        kind: "task",
        cluster: `${ECS}:cluster/prod`,
        task: `${ECS}:task/prod/stuck`,
        status: "DEPROVISIONING",
      },
    ]);
    expect(refs).toContainEqual([
      TASK_ROLE,
      { kind: "task", cluster: `${ECS}:cluster/prod`, task: `${ECS}:task/prod/alone`, status: "RUNNING" },
    ]);
    const roles = new Set(roleRefs.map((r) => r.ref));
    expect(roles.has(OLD_ROLE)).toBe(false); // INACTIVE deployment
    expect(roles.has(GONE_ROLE)).toBe(false); // only a STOPPED task uses it
    expect([...roles].some((r) => r.includes("AWSServiceRoleForECS"))).toBe(false); // service.roleArn
  });

  it("--service describes only the named services and lists their tasks with serviceName", async () => {
    const { facts, calls, count } = await collectWith({ clusters: ["prod"], services: ["web"] });
    expect(count("ListServices")).toBe(0);
    expect(calls.filter((c) => c.action === "DescribeServices").map((c) => c.params.services)).toEqual([
      ["web"],
    ]);
    expect(
      calls
        .filter((c) => c.action === "ListTasks")
        .map((c) => [c.params.serviceName, c.params.desiredStatus]),
    ).toEqual([
      ["web", "RUNNING"],
      ["web", "STOPPED"],
    ]);
    const prod = clusterNamed(facts.clusters, "prod");
    expect(prod.tasks.ok && prod.tasks.value.map((t) => t.arn.split("/").pop()).sort()).toEqual([
      "stuck",
      "web1",
    ]);
  });

  it("--task describes the named tasks only, and reports the ones ECS does not know", async () => {
    const { facts, calls } = await collectWith({
      clusters: ["prod"],
      tasks: ["alone", `${ECS}:task/prod/nope`],
    });
    expect(calls.map((c) => c.action)).toEqual(["DescribeTasks"]);
    const prod = clusterNamed(facts.clusters, "prod");
    expect(prod.tasks.ok && prod.tasks.value.map((t) => t.arn)).toEqual([`${ECS}:task/prod/alone`]);
    expect(prod.services).toEqual({ ok: true, value: [] });
    expect(prod.missing).toEqual([{ kind: "task", arn: `${ECS}:task/prod/nope`, reason: "MISSING" }]);
  });

  it("a task ARN names its cluster: no --cluster needed", async () => {
    const { facts } = await collectWith({ tasks: [`${ECS}:task/prod/web1`] });
    expect(clustersOf(facts.clusters).map((c) => c.arn)).toEqual([`${ECS}:cluster/prod`]);
  });

  it("an unknown cluster becomes fact errors (ClusterNotFoundException), not an empty cluster", async () => {
    const { facts } = await collectWith({ clusters: ["nope"] });
    const nope = clusterNamed(facts.clusters, "nope");
    expect(nope.arn).toBe(`${ECS}:cluster/nope`);
    expect(nope.services).toMatchObject({
      ok: false,
      error: { api: "ecs:ListServices", code: "ClusterNotFoundException" },
    });
    expect(nope.tasks).toMatchObject({
      ok: false,
      error: { api: "ecs:ListTasks", code: "ClusterNotFoundException" },
    });
  });

  it.each([
    ["ListClusters", {}],
    ["ListServices", { clusters: ["prod"] }],
    ["ListTasks", { clusters: ["prod"] }],
    ["DescribeTasks", { clusters: ["prod"] }],
    ["DescribeServices", { clusters: ["prod"] }],
  ] as [string, Partial<Scope>][])(
    "AccessDenied on %s becomes a fact error naming ecs:%s",
    async (action, s) => {
      fake.setFaults([{ service: "ecs", action, kind: "access-denied" }]);
      const { facts, roleRefs } = await collectWith(s);
      const api = `ecs:${action}`;
      if (action === "ListClusters") {
        expect(facts.clusters).toMatchObject({
          ok: false,
          error: { api, code: expect.stringMatching(/^AccessDenied/) },
        });
        expect(roleRefs).toEqual([]);
        return;
      }
      const prod = clusterNamed(facts.clusters, "prod");
      const fact = action.endsWith("Tasks") ? prod.tasks : prod.services;
      expect(fact).toMatchObject({ ok: false, error: { api, code: expect.stringMatching(/^AccessDenied/) } });
    },
  );
});

describe("ecsReadsFor", () => {
  it.each([
    ["nothing named: every cluster", {}, { kind: "discover" }],
    ["--role only: no ECS", { roles: ["r"] }, { kind: "none" }],
    [
      "--cluster a,b: both whole",
      { clusters: ["a", "b"] },
      {
        kind: "clusters",
        clusters: [
          { ref: "a", services: "all", listTasks: "cluster", tasks: [] },
          { ref: "b", services: "all", listTasks: "cluster", tasks: [] },
        ],
      },
    ],
    [
      "--cluster with --role: ECS stays in scope",
      { clusters: ["a"], roles: ["r"] },
      { kind: "clusters", clusters: [{ ref: "a", services: "all", listTasks: "cluster", tasks: [] }] },
    ],
    [
      "--service narrows each cluster",
      { clusters: ["a"], services: ["web"] },
      { kind: "clusters", clusters: [{ ref: "a", services: ["web"], listTasks: "services", tasks: [] }] },
    ],
    [
      "--task alone: no services, no listing",
      { clusters: ["a"], tasks: ["t1"] },
      { kind: "clusters", clusters: [{ ref: "a", services: "none", listTasks: "none", tasks: ["t1"] }] },
    ],
    [
      "a service ARN names its cluster",
      { services: [`${ECS}:service/b/web`] },
      {
        kind: "clusters",
        clusters: [{ ref: "b", services: [`${ECS}:service/b/web`], listTasks: "services", tasks: [] }],
      },
    ],
  ] as [string, Partial<Scope>, EcsReads][])("%s", (_name, s, expected) => {
    expect(ecsReadsFor(scope(s))).toEqual(expected);
  });

  it.each([
    [
      "a task id without --cluster",
      { tasks: ["t1"] },
      /--task t1: a task id does not say which cluster it is in; pass --cluster or the task ARN/,
    ],
    [
      "a service name without --cluster",
      { services: ["web"] },
      /--service web: a service name does not say which cluster/,
    ],
    [
      "a task id with several clusters",
      { clusters: ["a", "b"], tasks: ["t1"] },
      /several clusters are in scope/,
    ],
    [
      "a task ARN in a cluster not named",
      { clusters: ["a"], tasks: [`${ECS}:task/b/t1`] },
      /is in cluster b, which is not among --cluster a/,
    ],
    [
      "an old-style task ARN (no cluster in it) without --cluster",
      { tasks: [`${ECS}:task/t1`] },
      /does not say which cluster/,
    ],
  ] as [string, Partial<Scope>, RegExp][])("usage error: %s", (_name, s, message) => {
    expect(() => ecsReadsFor(scope(s))).toThrow(InputError);
    expect(() => ecsReadsFor(scope(s))).toThrow(message);
  });
});
