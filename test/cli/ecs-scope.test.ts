import { ECSClient, ListTasksCommand } from "@aws-sdk/client-ecs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.ts";
import type { FakeAccount, FakeTask } from "../fake-aws/account.ts";
import {
  ACCOUNT_ID,
  awsManagedVolumesPolicy,
  ebsService,
  ebsTask,
  infrastructureRole,
  REGION,
  roleArnOf,
} from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { checkJson, runCli } from "../support/cli.ts";

/** End to end: ECS scope discovery and tasks-deprovisioning through the CLI, the real SDK and the fake AWS. */

const ECS = `arn:aws:ecs:${REGION}:${ACCOUNT_ID}`;
const MIN = 60_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const UNABLE = (role: string) =>
  `ECS was unable to assume the configured ECS Infrastructure Role '${roleArnOf(role)}'. Please verify that the role being passed has the proper trust relationship with Amazon ECS`;
const doc = (...Statement: object[]) => ({ Version: "2012-10-17", Statement });
const plain = (id: string, desiredStatus: "RUNNING" | "STOPPED"): FakeTask => ({
  id,
  lastStatus: desiredStatus,
  desiredStatus,
  group: "family:batch",
});

/** 250 tasks; the stuck one comes after 110 stopped tasks, so on the second page (100 a page) of the STOPPED listing. */
const bigTasks: FakeTask[] = [
  ...Array.from({ length: 120 }, (_, i) => plain(`run${i}`, "RUNNING")),
  ...Array.from({ length: 110 }, (_, i) => plain(`old${i}`, "STOPPED")),
  ebsTask({
    id: "stuck-big",
    roleArn: roleArnOf("tasks-trust"),
    service: "etl",
    lastStatus: "DEPROVISIONING",
    volumeId: "vol-0big",
    statusReason: UNABLE("tasks-trust"),
    stoppingAt: ago(20 * MIN),
  }),
  ...Array.from({ length: 19 }, (_, i) => plain(`older${i}`, "STOPPED")),
];

const account: FakeAccount = {
  accountId: ACCOUNT_ID,
  roles: [
    infrastructureRole({ name: "api-role" }),
    infrastructureRole({ name: "tls-role" }),
    infrastructureRole({
      name: "tasks-trust",
      trustPolicy: doc({
        Effect: "Allow",
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Action: "sts:AssumeRole",
      }),
    }),
    infrastructureRole({
      name: "db-role",
      inline: {
        keep: doc({ Sid: "KeepVolumes", Effect: "Deny", Action: "ec2:DeleteVolume", Resource: "*" }),
      },
    }),
  ],
  managedPolicies: [awsManagedVolumesPolicy()],
  clusters: [
    {
      name: "first",
      services: [ebsService({ name: "api", roleArn: roleArnOf("api-role") })],
      tasks: [
        ebsTask({ id: "api1", roleArn: roleArnOf("api-role"), service: "api", volumeId: "vol-0api1" }),
        ebsTask({
          id: "young",
          roleArn: roleArnOf("api-role"),
          service: "api",
          lastStatus: "DEPROVISIONING",
          volumeId: "vol-0young",
          stoppingAt: ago(2 * MIN),
        }),
        {
          id: "no-ebs",
          lastStatus: "DEPROVISIONING",
          desiredStatus: "STOPPED",
          group: "family:web",
          stoppingAt: ago(40 * MIN),
        },
      ],
    },
    {
      name: "second",
      services: [
        ebsService({ name: "db", roleArn: roleArnOf("db-role"), tlsRoleArn: roleArnOf("tls-role") }),
      ],
      tasks: [
        ebsTask({ id: "db1", roleArn: roleArnOf("db-role"), service: "db", volumeId: "vol-0db1" }),
        ebsTask({
          id: "stuck2",
          roleArn: roleArnOf("deleted-role"),
          lastStatus: "DEPROVISIONING",
          volumeId: "vol-0stuck2",
          executionStoppedAt: ago(20 * MIN),
        }),
      ],
    },
    { name: "big", tasks: bigTasks },
  ],
};

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws(account, { pageSize: { ecs: 100 } });
  Object.assign(process.env, fake.env());
});
afterAll(() => fake.close());
afterEach(() => fake.setFaults([]));

async function check(...args: string[]) {
  const run = await checkJson(fake, ...args);
  return { ...run, ecsCalls: run.calls.filter((r) => r.service === "ecs") };
}

const find = (report: Report, rule: string, resource: string) =>
  report.findings.find((f) => f.rule === rule && f.resource === resource);
const taskArn = (cluster: string, id: string) => `${ECS}:task/${cluster}/${id}`;

describe("check with ECS in scope", () => {
  it("finds a stuck task on the second ListTasks page among 250, describing 100 tasks a call", async () => {
    const { code, report, ecsCalls } = await check("--cluster", "big");
    const stuck = find(report, "tasks-deprovisioning", taskArn("big", "stuck-big"));
    expect(stuck?.status).toBe("fail");
    expect(stuck?.message).toMatch(
      /Task stuck-big \(service etl, cluster big\) has been DEPROVISIONING for 20m/,
    );
    expect(code).toBe(1);

    const listings = ecsCalls
      .filter((c) => c.action === "ListTasks")
      .map((c) => [c.params.desiredStatus, "nextToken" in c.params]);
    expect(listings).toEqual([
      ["RUNNING", false],
      ["RUNNING", true],
      ["STOPPED", false],
      ["STOPPED", true],
    ]);
    // It is not on the first STOPPED page: only following nextToken finds it.
    const ecs = new ECSClient(fake.clientConfig());
    const firstPage = await ecs.send(new ListTasksCommand({ cluster: "big", desiredStatus: "STOPPED" }));
    ecs.destroy();
    expect(firstPage.taskArns).toHaveLength(100);
    expect(firstPage.taskArns).not.toContain(taskArn("big", "stuck-big"));
    expect(firstPage.nextToken).toBeTruthy();

    // 250 distinct tasks (RUNNING and STOPPED listings together) → ceil(250 / 100) = 3 DescribeTasks calls.
    const batches = ecsCalls
      .filter((c) => c.action === "DescribeTasks")
      .map((c) => c.params.tasks as string[]);
    expect(batches).toHaveLength(3);
    expect(batches.every((b) => b.length <= 100)).toBe(true);
    expect(new Set(batches.flat()).size).toBe(250);
  });

  it("names the confirmed cause of the stuck task: the trust policy of the role its attachment uses", async () => {
    const { report } = await check("--cluster", "big");
    const stuck = find(report, "tasks-deprovisioning", taskArn("big", "stuck-big"));
    expect(stuck?.message).toMatch(
      /confirm it: the trust policy of tasks-trust does not allow ecs.amazonaws.com sts:AssumeRole \(trust-policy\)/,
    );
    expect(stuck?.remediation).toContain("aws iam update-assume-role-policy --role-name tasks-trust");
    expect(find(report, "trust-policy", roleArnOf("tasks-trust"))?.status).toBe("fail");
  });

  it("finds a stuck task in the second of two clusters; the first passes with its young DEPROVISIONING task", async () => {
    const { code, report } = await check("--cluster", "first,second");
    expect(find(report, "tasks-deprovisioning", taskArn("second", "stuck2"))?.status).toBe("fail");
    const first = find(report, "tasks-deprovisioning", `${ECS}:cluster/first`);
    expect(first?.status).toBe("pass");
    expect(first?.message).toMatch(/3 tasks examined; 1 DEPROVISIONING for 15m or less/);
    expect(find(report, "tasks-deprovisioning", taskArn("first", "young"))).toBeUndefined(); // 2 minutes: not flagged
    expect(code).toBe(1);
  });

  it("a stuck task without EBS is a warning, not a failure", async () => {
    const { code, report } = await check("--cluster", "first");
    const noEbs = find(report, "tasks-deprovisioning", taskArn("first", "no-ebs"));
    expect(noEbs?.status).toBe("warn");
    expect(report.findings.filter((f) => f.status === "fail")).toEqual([]);
    expect(report.verdict).toBe("warn");
    expect(code).toBe(0);
  });

  it("discovers the roles from services and tasks without --role, each with what depends on it", async () => {
    const { report } = await check("--cluster", "second");
    const exists = Object.fromEntries(
      report.findings.filter((f) => f.rule === "role-exists").map((f) => [f.resource, f.status]),
    );
    expect(exists).toEqual({
      [roleArnOf("db-role")]: "pass", // service deployment (EBS) and a running task
      [roleArnOf("tls-role")]: "pass", // service deployment (Service Connect TLS)
      [roleArnOf("deleted-role")]: "fail", // the stuck task's attachment
    });
    const db = find(report, "volume-permissions", roleArnOf("db-role"));
    expect(db?.status).toBe("fail");
    expect(db?.details?.dependents).toEqual({ services: ["second/db"], tasks: [taskArn("second", "db1")] });
    expect(find(report, "volume-permissions", roleArnOf("tls-role"))).toBeUndefined(); // a TLS role needs no volume actions
    const stuck = find(report, "tasks-deprovisioning", taskArn("second", "stuck2"));
    expect(stuck?.message).toMatch(
      /standalone, family:mytaskdef, cluster second\).*its executionStoppedAt.*Likely cause: role deleted-role does not exist \(role-exists\)/,
    );
  });

  it("the text report says which services and tasks depend on a broken role", async () => {
    const { stdout } = await runCli(["check", "--cluster", "second", "--no-color"]);
    expect(stdout).toMatch(
      /db-role: ec2:DeleteVolume denied by inline policy "keep" Sid "KeepVolumes".* 1 service \(second\/db\) and 1 task \([0-9a-z-]+\) depend on it\./,
    );
  });

  it("with no scope flags, looks at every cluster in the region", async () => {
    const { report, ecsCalls } = await check();
    expect(ecsCalls.filter((c) => c.action === "ListClusters")).toHaveLength(1);
    const clusters = report.findings.filter((f) => f.rule === "tasks-deprovisioning").map((f) => f.resource);
    expect(clusters).toEqual(
      expect.arrayContaining([
        `${ECS}:cluster/first`,
        taskArn("second", "stuck2"),
        taskArn("big", "stuck-big"),
      ]),
    );
  });

  it("--role alone stays a role check: no ECS call", async () => {
    const { report, ecsCalls } = await check("--role", "api-role");
    expect(ecsCalls).toEqual([]);
    expect(report.findings.some((f) => f.rule === "tasks-deprovisioning")).toBe(false);
  });

  it("--service narrows the cluster to that service's tasks and roles", async () => {
    const { report, ecsCalls } = await check("--cluster", "second", "--service", "db");
    expect(ecsCalls.some((c) => c.action === "ListServices")).toBe(false);
    expect(find(report, "tasks-deprovisioning", `${ECS}:cluster/second`)?.status).toBe("pass"); // stuck2 is standalone
    expect(find(report, "role-exists", roleArnOf("deleted-role"))).toBeUndefined();
  });

  it("a task ECS does not know is unknown (exit 3), not silently out of scope", async () => {
    const { code, report } = await check("--cluster", "first", "--task", "nope");
    expect(find(report, "tasks-deprovisioning", taskArn("first", "nope"))?.status).toBe("unknown");
    expect(code).toBe(3);
  });

  it("snapshot then check --snapshot replays the ECS facts (missing tasks included) to the same findings", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "ecs-snap-")), "facts.json");
    const args = ["--cluster", "second", "--task", "db1,nope"];
    expect((await runCli(["snapshot", ...args, "--out", file])).code).toBe(0);
    const live = await check(...args);
    const replay = await check("--snapshot", file);
    expect(replay.ecsCalls).toEqual([]);
    expect(replay.report.findings).toEqual(live.report.findings);
    expect(find(replay.report, "tasks-deprovisioning", taskArn("second", "nope"))?.status).toBe("unknown");
    expect(replay.code).toBe(live.code);
  });

  it("an unknown cluster is unknown, naming ClusterNotFoundException", async () => {
    const { code, report } = await check("--cluster", "nope");
    const f = find(report, "tasks-deprovisioning", `${ECS}:cluster/nope`);
    expect(f?.status).toBe("unknown");
    expect(f?.message).toMatch(/ClusterNotFoundException/);
    expect(code).toBe(3);
  });

  it.each(["ListClusters", "ListServices", "ListTasks", "DescribeTasks"])(
    "ecs:%s denied: unknown and exit 3, never a pass",
    async (action) => {
      fake.setFaults([{ service: "ecs", action, kind: "access-denied" }]);
      const { code, report } = await check(...(action === "ListClusters" ? [] : ["--cluster", "first"]));
      const ecsFindings = report.findings.filter((f) => f.rule === "tasks-deprovisioning");
      const unknown = ecsFindings.filter((f) => f.status === "unknown");
      expect(unknown.map((f) => f.resource)).toEqual([
        `${ECS}:cluster/${action === "ListClusters" ? "*" : "first"}`,
      ]);
      expect(unknown[0]?.details?.missingPermission).toBe(`ecs:${action}`);
      expect(ecsFindings.some((f) => f.status === "pass")).toBe(false);
      expect(code).toBe(3);
    },
  );
});

describe("ECS scope usage errors: exit 2, one line, no AWS call", () => {
  it.each([
    [
      ["--task", "abc"],
      /--task abc: a task id does not say which cluster it is in; pass --cluster or the task ARN/,
    ],
    [["--service", "web"], /--service web: a service name does not say which cluster/],
    [
      ["--cluster", "first", "--task", `${ECS}:task/second/db1`],
      /is in cluster second, which is not among --cluster first/,
    ],
    [
      ["--cluster", "first", "--stuck-after", "15min"],
      /expected a duration such as 90s, 15m, 2h or 1d, got "15min"/,
    ],
  ])("check %j", async (args, message) => {
    const before = fake.requests.length;
    const { code, stderr } = await runCli(["check", ...args]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(fake.requests.length).toBe(before);
  });
});
