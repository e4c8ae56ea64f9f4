import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MAX_ATTEMPTS } from "../../src/collect/retry.ts";
import type { FakeAccount } from "../fake-aws/account.ts";
import { ACCOUNT_ID, ebsService, ebsTask, REGION, roleArnOf } from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { runBundle, runCli } from "../support/cli.ts";

/** End to end through the real SDK: `wait` polls ECS until no task holds the role, against tasks that move on. */

const ROLE = "ecsInfrastructureRole";
const ROLE_ARN = roleArnOf(ROLE);
const OTHER = roleArnOf("other-role");
const REASON = "ECS was unable to assume the configured ECS Infrastructure Role";

const account: FakeAccount = {
  accountId: ACCOUNT_ID,
  clusters: [
    {
      name: "clears",
      tasks: [
        ebsTask({
          id: "leaving",
          roleArn: ROLE_ARN,
          service: "web",
          lastStatus: "DEPROVISIONING",
          volumeId: "vol-0leaving",
          // Shown DEPROVISIONING by three reads, then STOPPED.
          transitions: [{ afterDescribes: 3, lastStatus: "STOPPED", ebsAttachmentStatus: "DELETED" }],
        }),
        ebsTask({ id: "unrelated", roleArn: OTHER }),
      ],
    },
    {
      name: "stuck",
      tasks: [
        ebsTask({
          id: "hung",
          roleArn: ROLE_ARN,
          lastStatus: "DEPROVISIONING",
          volumeId: "vol-0hung",
          statusReason: REASON,
        }),
      ],
    },
    {
      name: "done",
      services: [ebsService({ name: "gone", roleArn: ROLE_ARN, status: "INACTIVE" })],
      tasks: [
        ebsTask({ id: "finished", roleArn: ROLE_ARN, lastStatus: "STOPPED", attachmentStatus: "DELETED" }),
      ],
    },
    {
      name: "scaled-down",
      services: [ebsService({ name: "api", roleArn: ROLE_ARN })],
      tasks: [ebsTask({ id: "old", roleArn: ROLE_ARN, service: "api", lastStatus: "STOPPED" })],
    },
  ],
};

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws(account);
  Object.assign(process.env, fake.env(), { ECS_PREFLIGHT_POLL_MS: "10" });
});
afterAll(async () => {
  delete process.env.ECS_PREFLIGHT_POLL_MS;
  await fake.close();
});
afterEach(() => fake.setFaults([]));

async function wait(args: string[], options: Parameters<typeof runCli>[1] = {}) {
  const before = fake.requests.length;
  const result = await runCli(["wait", ...args], options);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const calls = fake.requests.slice(before);
  const count = (action: string) => calls.filter((c) => c.action === action).length;
  return { ...result, calls, count };
}

describe("wait", () => {
  it("clears once the last task holding the role reaches STOPPED: exit 0, after polling", async () => {
    const { code, stdout, calls, count } = await wait(["--role", ROLE, "--cluster", "clears"]);
    expect(code).toBe(0);
    // Three reads saw the task DEPROVISIONING, the fourth saw it STOPPED.
    expect(count("DescribeTasks")).toBe(4);
    expect(count("ListTasks")).toBe(8); // desiredStatus RUNNING and STOPPED, each read
    expect(stdout).toMatch(
      /^Role ecsInfrastructureRole is clear: no task references it in any state but STOPPED \(1 cluster, 4 reads\)\.$/m,
    );
    // Only ECS, and STS once for the role name's account: no IAM, CloudTrail or EC2.
    expect([...new Set(calls.map((c) => c.service))].sort()).toEqual(["ecs", "sts"]);
    expect(count("GetCallerIdentity")).toBe(1);
  });

  it("is clear at once after one read when nothing holds the role; a role ARN needs no STS call", async () => {
    const { code, stdout, calls, count } = await wait([
      "--role",
      ROLE_ARN,
      "--cluster",
      "done",
      "--format",
      "json",
    ]);
    expect(code).toBe(0);
    expect(count("DescribeTasks")).toBe(1);
    expect(calls.some((c) => c.service === "sts")).toBe(false);
    const json = JSON.parse(stdout);
    expect(json).toMatchObject({
      role: ROLE_ARN,
      result: "clear",
      exitCode: 0,
      reads: 1,
      tasks: [],
      services: [],
    });
    expect(json.clusters).toEqual([`arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/done`]);
  });

  it("times out naming each task still holding the role, its attachment status and reason: exit 1", async () => {
    const { code, stdout, count } = await wait(["--role", ROLE, "--cluster", "stuck", "--timeout", "1s"]);
    expect(code).toBe(1);
    expect(count("DescribeTasks")).toBeGreaterThan(1);
    expect(stdout).toMatch(
      /Timed out after .* \(--timeout 1s\): 1 task still holds role ecsInfrastructureRole:/,
    );
    expect(stdout).toContain(
      `task hung (cluster stuck) DEPROVISIONING: EBS volume vol-0hung attachment DETACHING, status reason "${REASON}"`,
    );
    expect(stdout).toMatch(/See why with: ecs-preflight check --role ecsInfrastructureRole --cluster stuck/);
  });

  it("--format json on timeout lists the tasks for scripts", async () => {
    const { code, stdout } = await wait([
      "--role",
      ROLE,
      "--cluster",
      "stuck",
      "--timeout",
      "1s",
      "--format",
      "json",
    ]);
    expect(code).toBe(1);
    const json = JSON.parse(stdout);
    expect(json.result).toBe("timed-out");
    expect(json.tasks).toEqual([
      expect.objectContaining({
        arn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task/stuck/hung`,
        lastStatus: "DEPROVISIONING",
        attachmentStatus: "DETACHING",
        volumeId: "vol-0hung",
        statusReason: REASON,
      }),
    ]);
  });

  it("with no --cluster it lists every cluster, and a task anywhere keeps it waiting", async () => {
    const { code, stdout, count } = await wait(["--role", ROLE_ARN, "--timeout", "1s"]);
    expect(count("ListClusters")).toBeGreaterThan(0);
    expect(code).toBe(1);
    expect(stdout).toMatch(/task hung \(cluster stuck\)/);
    expect(stdout).not.toMatch(/unrelated/);
  });

  it("an ACTIVE service naming the role does not keep it waiting, but is reported", async () => {
    const { code, stdout } = await wait(["--role", ROLE, "--cluster", "scaled-down"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /note: service scaled-down\/api is ACTIVE and still names role ecsInfrastructureRole/,
    );
  });

  it("cannot read the tasks (AccessDenied on ListTasks): exit 3 at once, naming the call", async () => {
    fake.setFaults([{ service: "ecs", action: "ListTasks", kind: "access-denied" }]);
    const { code, stdout, count } = await wait(["--role", ROLE, "--cluster", "stuck"]);
    expect(code).toBe(3);
    expect(count("DescribeTasks")).toBe(0);
    expect(stdout).toMatch(
      /Cannot tell whether role ecsInfrastructureRole is still in use:\n {2}cluster stuck: ecs:ListTasks failed with AccessDeniedException/,
    );
  });

  it("services that cannot be read block too: their VPC Lattice and blue/green roles are unseen (exit 3)", async () => {
    fake.setFaults([{ service: "ecs", action: "ListServices", kind: "access-denied" }]);
    const { code, count, stdout } = await wait(["--role", ROLE_ARN, "--cluster", "done"]);
    expect(count("ListServices")).toBeGreaterThan(0);
    expect(code).toBe(3);
    expect(stdout).toMatch(/cluster done: ecs:ListServices failed with AccessDeniedException/);
  });

  it("cannot list the clusters: exit 3", async () => {
    fake.setFaults([{ service: "ecs", action: "ListClusters", kind: "access-denied" }]);
    const { code, stdout } = await wait(["--role", ROLE_ARN, "--format", "json"]);
    expect(code).toBe(3);
    expect(JSON.parse(stdout)).toMatchObject({
      result: "unread",
      unread: [{ resource: "ecs:clusters", api: "ecs:ListClusters", code: "AccessDeniedException" }],
    });
  });

  it("a cluster that does not exist is not clear: exit 3", async () => {
    const { code, stdout } = await wait(["--role", ROLE, "--cluster", "nope"]);
    expect(code).toBe(3);
    expect(stdout).toMatch(/ClusterNotFoundException/);
  });

  it("throttled past the SDK's retries: exit 3", async () => {
    fake.setFaults([{ service: "ecs", action: "DescribeTasks", kind: "throttle" }]);
    const { code, stdout, calls } = await wait(["--role", ROLE, "--cluster", "stuck"]);
    expect(code).toBe(3);
    // Every attempt the retry strategy makes, then no more.
    expect(calls.filter((c) => c.action === "DescribeTasks").length).toBe(DEFAULT_MAX_ATTEMPTS);
    expect(stdout).toMatch(/ecs:DescribeTasks failed with ThrottlingException/);
  });

  it("on a terminal it prints each state change on stderr", async () => {
    fake.account.clusters?.push({
      name: "watched",
      tasks: [
        ebsTask({
          id: "w",
          roleArn: ROLE_ARN,
          volumeId: "vol-0w",
          transitions: [
            { afterDescribes: 1, lastStatus: "DEPROVISIONING", ebsAttachmentStatus: "DETACHING" },
            { afterDescribes: 2, lastStatus: "STOPPED", ebsAttachmentStatus: "DELETED" },
          ],
        }),
      ],
    });
    const { code, stderr } = await wait(["--role", ROLE, "--cluster", "watched"], { stderrTty: true });
    expect(code).toBe(0);
    expect(stderr).toMatch(
      /holds the role: task w \(cluster watched\) RUNNING: EBS volume vol-0w attachment ATTACHED/,
    );
    expect(stderr).toMatch(/task w: RUNNING → DEPROVISIONING, attachment ATTACHED → DETACHING/);
    expect(stderr).toMatch(/task w: STOPPED \(no longer holds the role\)/);
  });

  it("quiet off a terminal: only pino JSON logs on stderr", async () => {
    const { code, stderr } = await wait(["--role", ROLE_ARN, "--cluster", "done"]);
    expect(code).toBe(0);
    const lines = stderr.trim().split("\n");
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.map((l) => JSON.parse(l).msg)).toContain("wait finished");
  });

  it("the bundled binary waits the same way a shell sees it", async () => {
    const { code, stdout } = await runBundle(["wait", "--role", ROLE_ARN, "--cluster", "done"], {
      ...fake.env(),
      ECS_PREFLIGHT_POLL_MS: "10",
    });
    expect(stdout).toMatch(/^Role ecsInfrastructureRole is clear/);
    expect(code).toBe(0);
  });

  describe("usage errors: exit 2, no AWS call", () => {
    for (const [name, args, message] of [
      ["no --role", ["--cluster", "stuck"], /required option '--role <name>'/],
      ["a bad duration", ["--role", ROLE, "--timeout", "5 minutes"], /expected a duration such as 90s/],
      ["two roles", ["--role", `${ROLE},other-role`], /wait takes exactly one role/],
      [
        "not a role ARN",
        ["--role", "arn:aws:ecs:us-east-1:111122223333:cluster/x"],
        /expected a role name or an IAM role ARN/,
      ],
      [
        "an IAM user ARN",
        ["--role", "arn:aws:iam::111122223333:user/x"],
        /expected a role name or an IAM role ARN/,
      ],
    ] as const) {
      it(name, async () => {
        const { code, stderr, calls } = await wait([...args]);
        expect(code).toBe(2);
        expect(stderr).toMatch(message);
        expect(calls).toEqual([]);
      });
    }
    it("a bad ECS_PREFLIGHT_POLL_MS", async () => {
      const { code, calls } = await wait(["--role", ROLE], { env: { ECS_PREFLIGHT_POLL_MS: "soon" } });
      expect(code).toBe(2);
      expect(calls).toEqual([]);
    });
  });
});
