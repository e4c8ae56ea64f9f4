import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServicesCommand,
  ListTasksCommand,
  paginateListClusters,
  paginateListServices,
  paginateListTasks,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { FakeTask } from "./account.ts";
import { ebsService, ebsTask, roleArnOf } from "./builders.ts";
import { type FakeAws, startFakeAws } from "./server.ts";

const ROLE = roleArnOf("ecsInfrastructureRole");
const PREFIX = "arn:aws:ecs:us-east-1:111122223333";
const runningTasks: FakeTask[] = Array.from({ length: 5 }, (_, i) =>
  ebsTask({ id: `run${i}`, roleArn: ROLE, service: "web", volumeId: `vol-0${i}` }),
);
const stuck = ebsTask({
  id: "stuck",
  roleArn: ROLE,
  service: "web",
  lastStatus: "DEPROVISIONING",
  volumeId: "vol-0stuck",
  statusReason: "ECS was unable to assume the configured ECS Infrastructure Role",
  stoppingAt: "2026-01-01T00:00:00Z",
  executionStoppedAt: "2026-01-01T00:00:31Z",
});
/** 120 plain tasks, enough to need two DescribeTasks batches. */
const bulkTasks: FakeTask[] = Array.from({ length: 120 }, (_, i) => ({
  id: `bulk${i}`,
  lastStatus: "RUNNING",
  desiredStatus: "RUNNING",
  group: "family:batch",
}));

let fake: FakeAws;
let ecs: ECSClient;

beforeAll(async () => {
  fake = await startFakeAws(
    {
      accountId: "111122223333",
      clusters: [
        {
          name: "prod",
          services: [
            ebsService({ name: "web", roleArn: ROLE }),
            ...Array.from({ length: 11 }, (_, i) => ebsService({ name: `svc${i}`, roleArn: ROLE })),
            { name: "old", status: "DRAINING" },
          ],
          tasks: [
            ...runningTasks,
            stuck,
            ebsTask({ id: "done", roleArn: ROLE, lastStatus: "STOPPED" }),
            ebsTask({ id: "stop-me", roleArn: ROLE }),
            ebsTask({ id: "stop-me-slowly", roleArn: ROLE, onStop: "deprovisioning" }),
          ],
        },
        { name: "bulk", tasks: bulkTasks },
        { name: "empty" },
      ],
    },
    { pageSize: { ecs: 2 } },
  );
  ecs = new ECSClient(fake.clientConfig());
});

afterAll(async () => {
  ecs.destroy();
  await fake.close();
});

async function allPages<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

test("ListClusters pages through every cluster ARN", async () => {
  const pages = await allPages(paginateListClusters({ client: ecs }, {}));
  expect(pages.flatMap((page) => page.clusterArns)).toEqual([
    `${PREFIX}:cluster/prod`,
    `${PREFIX}:cluster/bulk`,
    `${PREFIX}:cluster/empty`,
  ]);
  expect(pages).toHaveLength(2);
});

describe("services", () => {
  test("ListServices shows ACTIVE services only, default 10 a page (the cap here is 2)", async () => {
    const pages = await allPages(paginateListServices({ client: ecs }, { cluster: "prod" }));
    const arns = pages.flatMap((page) => page.serviceArns ?? []);
    expect(arns).toHaveLength(12);
    expect(arns[0]).toBe(`${PREFIX}:service/prod/web`);
    expect(arns).not.toContain(`${PREFIX}:service/prod/old`);
    expect(pages).toHaveLength(6);
  });

  test("DescribeServices returns the deployments' infrastructure role and MISSING for unknown names", async () => {
    const out = await ecs.send(
      new DescribeServicesCommand({
        cluster: `${PREFIX}:cluster/prod`,
        services: ["web", `${PREFIX}:service/prod/old`, "nope"],
      }),
    );
    expect(out.services?.map((s) => [s.serviceName, s.status])).toEqual([
      ["web", "ACTIVE"],
      ["old", "DRAINING"],
    ]);
    const deployment = out.services?.[0]?.deployments?.[0];
    expect(deployment?.volumeConfigurations?.[0]?.managedEBSVolume?.roleArn).toBe(ROLE);
    expect(deployment?.createdAt).toEqual(new Date("2025-01-21T17:32:38.034Z"));
    expect(out.failures).toEqual([{ arn: `${PREFIX}:service/prod/nope`, reason: "MISSING" }]);
  });

  test("DescribeServices refuses more than 10 services", async () => {
    const services = Array.from({ length: 11 }, (_, i) => `svc${i}`);
    await expect(ecs.send(new DescribeServicesCommand({ cluster: "prod", services }))).rejects.toMatchObject({
      name: "InvalidParameterException",
      $metadata: { httpStatusCode: 400 },
    });
  });

  test("an unknown cluster is ClusterNotFoundException", async () => {
    await expect(ecs.send(new ListServicesCommand({ cluster: "nope" }))).rejects.toMatchObject({
      name: "ClusterNotFoundException",
      message: "Cluster not found.",
    });
  });
});

describe("tasks", () => {
  test("ListTasks defaults to desiredStatus RUNNING and pages with nextToken", async () => {
    const before = fake.requests.length;
    const pages = await allPages(paginateListTasks({ client: ecs }, { cluster: "prod", serviceName: "web" }));
    expect(pages.flatMap((page) => page.taskArns)).toEqual(
      runningTasks.map((t) => `${PREFIX}:task/prod/${t.id}`),
    );
    expect(fake.requests.slice(before).map((r) => r.action)).toEqual(["ListTasks", "ListTasks", "ListTasks"]);
  });

  test("ListTasks desiredStatus STOPPED finds the stuck and the stopped tasks", async () => {
    const out = await ecs.send(
      new ListTasksCommand({ cluster: "prod", desiredStatus: "STOPPED", maxResults: 100 }),
    );
    expect(out.taskArns).toEqual([`${PREFIX}:task/prod/stuck`, `${PREFIX}:task/prod/done`]);
    expect(out.nextToken).toBeUndefined();
  });

  test("ListTasks filters by startedBy and refuses an unknown service", async () => {
    const pages = paginateListTasks(
      { client: ecs },
      { cluster: "prod", startedBy: "ecs-svc/7851020056849183687" },
    );
    const arns = (await allPages(pages)).flatMap((page) => page.taskArns ?? []);
    expect(arns).toEqual(runningTasks.map((t) => `${PREFIX}:task/prod/${t.id}`));
    await expect(
      ecs.send(new ListTasksCommand({ cluster: "prod", serviceName: "nope" })),
    ).rejects.toMatchObject({
      name: "ServiceNotFoundException",
    });
  });

  test("DescribeTasks shows the EBS attachment, epoch-second times as Dates, and MISSING for unknown ids", async () => {
    const out = await ecs.send(
      new DescribeTasksCommand({ cluster: "prod", tasks: ["stuck", `${PREFIX}:task/prod/nope`] }),
    );
    const task = out.tasks?.[0];
    expect(task).toMatchObject({
      taskArn: `${PREFIX}:task/prod/stuck`,
      clusterArn: `${PREFIX}:cluster/prod`,
      lastStatus: "DEPROVISIONING",
      desiredStatus: "STOPPED",
      group: "service:web",
      stopCode: "UserInitiated",
    });
    expect(task?.stoppingAt).toEqual(new Date("2026-01-01T00:00:00Z"));
    expect(task?.executionStoppedAt).toEqual(new Date("2026-01-01T00:00:31Z"));
    const ebs = task?.attachments?.find((a) => a.type === "AmazonElasticBlockStorage");
    expect(ebs?.status).toBe("DETACHING");
    expect(Object.fromEntries((ebs?.details ?? []).map((d) => [d.name, d.value]))).toEqual({
      roleArn: ROLE,
      volumeName: "data",
      volumeId: "vol-0stuck",
      deleteOnTermination: "true",
      statusReason: "ECS was unable to assume the configured ECS Infrastructure Role",
    });
    expect(task).not.toHaveProperty("id");
    expect(out.failures).toEqual([{ arn: `${PREFIX}:task/prod/nope`, reason: "MISSING" }]);
  });

  test("DescribeTasks takes 100 tasks a call and refuses 101", async () => {
    const arns = (
      await allPages(paginateListTasks({ client: ecs }, { cluster: "bulk", maxResults: 100 }))
    ).flatMap((page) => page.taskArns ?? []);
    expect(arns).toHaveLength(120);
    const first = await ecs.send(new DescribeTasksCommand({ cluster: "bulk", tasks: arns.slice(0, 100) }));
    expect(first.tasks).toHaveLength(100);
    await expect(
      ecs.send(new DescribeTasksCommand({ cluster: "bulk", tasks: arns.slice(0, 101) })),
    ).rejects.toMatchObject({ name: "InvalidParameterException" });
  });

  test("StopTask stops a task, or leaves it DEPROVISIONING when the account says so", async () => {
    const now = Date.now();
    const stopped = await ecs.send(
      new StopTaskCommand({ cluster: "prod", task: "stop-me", reason: "preflight ok" }),
    );
    expect(stopped.task).toMatchObject({
      desiredStatus: "STOPPED",
      lastStatus: "STOPPED",
      stopCode: "UserInitiated",
    });
    expect(stopped.task?.stoppedReason).toBe("preflight ok");
    expect(stopped.task?.stoppingAt?.getTime()).toBeGreaterThanOrEqual(now - 1000);

    const slow = await ecs.send(
      new StopTaskCommand({ cluster: "prod", task: `${PREFIX}:task/prod/stop-me-slowly` }),
    );
    expect(slow.task).toMatchObject({ desiredStatus: "STOPPED", lastStatus: "DEPROVISIONING" });
    expect(fake.requests.at(-1)).toMatchObject({
      service: "ecs",
      action: "StopTask",
      params: { cluster: "prod" },
    });

    // The test moves the task on, as ECS eventually would.
    const live = fake.account.clusters?.[0]?.tasks?.find((t) => t.id === "stop-me-slowly");
    if (live) live.lastStatus = "STOPPED";
    const after = await ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: ["stop-me-slowly"] }));
    expect(after.tasks?.[0]?.lastStatus).toBe("STOPPED");
  });

  test("a task without an id gets a stable 32-hex id", async () => {
    const out = await ecs.send(new ListTasksCommand({ cluster: "bulk", maxResults: 1 }));
    expect(out.taskArns?.[0]).toBe(`${PREFIX}:task/bulk/bulk0`);
    const local = await startFakeAws({
      accountId: "111122223333",
      clusters: [{ name: "c", tasks: [{ lastStatus: "RUNNING", desiredStatus: "RUNNING" }] }],
    });
    const client = new ECSClient(local.clientConfig());
    const a = await client.send(new ListTasksCommand({ cluster: "c" }));
    const b = await client.send(new ListTasksCommand({ cluster: "c" }));
    client.destroy();
    await local.close();
    expect(a.taskArns?.[0]).toMatch(/^arn:aws:ecs:us-east-1:111122223333:task\/c\/[0-9a-f]{32}$/);
    expect(b.taskArns).toEqual(a.taskArns);
  });
});

describe("task transitions over time", () => {
  const ids = (out: { taskArns?: string[] }) => (out.taskArns ?? []).map((a) => a.split("/").pop());

  test("a task moves on after DescribeTasks has shown it N times, and ListTasks agrees at once", async () => {
    const local = await startFakeAws({
      accountId: "111122223333",
      clusters: [
        {
          name: "c",
          tasks: [
            ebsTask({
              id: "t",
              roleArn: ROLE,
              transitions: [
                { afterDescribes: 1, lastStatus: "DEPROVISIONING", ebsAttachmentStatus: "DETACHING" },
                { afterDescribes: 3, lastStatus: "STOPPED", ebsAttachmentStatus: "DELETED" },
              ],
            }),
          ],
        },
      ],
    });
    const client = new ECSClient(local.clientConfig());
    const look = async () => {
      const running = await client.send(new ListTasksCommand({ cluster: "c" }));
      const stopped = await client.send(new ListTasksCommand({ cluster: "c", desiredStatus: "STOPPED" }));
      const described = await client.send(new DescribeTasksCommand({ cluster: "c", tasks: ["t"] }));
      const task = described.tasks?.[0];
      return {
        running: ids(running),
        stopped: ids(stopped),
        lastStatus: task?.lastStatus,
        desiredStatus: task?.desiredStatus,
        ebs: task?.attachments?.find((a) => a.type === "AmazonElasticBlockStorage")?.status,
        stoppedAt: task?.stoppedAt instanceof Date,
      };
    };
    try {
      const seen = [await look(), await look(), await look(), await look()];
      expect(seen).toEqual([
        {
          running: ["t"],
          stopped: [],
          lastStatus: "RUNNING",
          desiredStatus: "RUNNING",
          ebs: "ATTACHED",
          stoppedAt: false,
        },
        {
          running: [],
          stopped: ["t"],
          lastStatus: "DEPROVISIONING",
          desiredStatus: "STOPPED",
          ebs: "DETACHING",
          stoppedAt: false,
        },
        {
          running: [],
          stopped: ["t"],
          lastStatus: "DEPROVISIONING",
          desiredStatus: "STOPPED",
          ebs: "DETACHING",
          stoppedAt: false,
        },
        {
          running: [],
          stopped: ["t"],
          lastStatus: "STOPPED",
          desiredStatus: "STOPPED",
          ebs: "DELETED",
          stoppedAt: true,
        },
      ]);
      // The steering field is the fake's own: DescribeTasks never shows it.
      const out = await client.send(new DescribeTasksCommand({ cluster: "c", tasks: ["t"] }));
      expect(out.tasks?.[0]).not.toHaveProperty("transitions");
    } finally {
      client.destroy();
      await local.close();
    }
  });

  test("a transition `at` a time follows the fake's clock, not the number of calls", async () => {
    let now = new Date("2026-11-27T12:00:00Z");
    const local = await startFakeAws(
      {
        accountId: "111122223333",
        clusters: [
          {
            name: "c",
            tasks: [
              ebsTask({
                id: "t",
                roleArn: ROLE,
                lastStatus: "DEPROVISIONING",
                transitions: [{ at: "2026-11-27T12:02:00Z", lastStatus: "STOPPED" }],
              }),
            ],
          },
        ],
      },
      { now: () => now },
    );
    const client = new ECSClient(local.clientConfig());
    const status = async () =>
      (await client.send(new DescribeTasksCommand({ cluster: "c", tasks: ["t"] }))).tasks?.[0];
    try {
      expect((await status())?.lastStatus).toBe("DEPROVISIONING");
      expect((await status())?.lastStatus).toBe("DEPROVISIONING");
      now = new Date("2026-11-27T12:02:00Z");
      const stopped = await status();
      expect(stopped?.lastStatus).toBe("STOPPED");
      expect(stopped?.stoppedAt).toEqual(now);
    } finally {
      client.destroy();
      await local.close();
    }
  });
});
