import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.ts";
import type { FakeAccount, FakeTask } from "../fake-aws/account.ts";
import {
  ACCOUNT_ID,
  awsManagedVolumesPolicy,
  ebsTask,
  infrastructureRole,
  REGION,
  roleArnOf,
} from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { runBundle, runCli } from "../support/cli.ts";

/** End to end: `stop` checks first, calls StopTask only when safe and confirmed, and follows the tasks with --wait. */

const ECS = `arn:aws:ecs:${REGION}:${ACCOUNT_ID}`;
const doc = (...Statement: object[]) => ({ Version: "2012-10-17", Statement });
const good = roleArnOf("good-role");

const account: FakeAccount = {
  accountId: ACCOUNT_ID,
  roles: [
    infrastructureRole({ name: "good-role" }),
    infrastructureRole({ name: "late-role" }),
    infrastructureRole({
      name: "bad-trust",
      trustPolicy: doc({
        Effect: "Allow",
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Action: "sts:AssumeRole",
      }),
    }),
    infrastructureRole({
      name: "inline-only",
      attached: [],
      inline: {
        ebs: doc({
          Effect: "Allow",
          Action: ["ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes"],
          Resource: "*",
        }),
      },
    }),
  ],
  managedPolicies: [awsManagedVolumesPolicy()],
  clusters: [
    {
      name: "svc",
      tasks: [
        ebsTask({ id: "broken", roleArn: roleArnOf("bad-trust"), volumeId: "vol-0broken" }),
        ebsTask({ id: "fine", roleArn: good, volumeId: "vol-0fine" }),
        ebsTask({ id: "confirm-yes", roleArn: good }),
        ebsTask({ id: "confirm-no", roleArn: good }),
        ebsTask({ id: "warned", roleArn: roleArnOf("inline-only") }),
        ebsTask({ id: "wait-ok", roleArn: good, onStop: "deprovisioning" }),
        ebsTask({ id: "wait-stuck", roleArn: good, volumeId: "vol-0stuck", onStop: "deprovisioning" }),
        ebsTask({ id: "denied", roleArn: good }),
        ebsTask({ id: "bundle", roleArn: good }),
        ebsTask({ id: "late", roleArn: roleArnOf("late-role"), volumeId: "vol-0late" }),
        // An EBS attachment whose details name no role: nothing proves its volume can be cleaned up.
        {
          ...ebsTask({ id: "norole", roleArn: good, volumeId: "vol-0norole" }),
          attachments: [
            {
              id: "att-norole",
              type: "AmazonElasticBlockStorage",
              status: "ATTACHED",
              details: [{ name: "volumeId", value: "vol-0norole" }],
            },
          ],
        },
      ],
    },
  ],
};

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws(account, { pageSize: { ecs: 100 } });
  Object.assign(process.env, fake.env(), { ECS_PREFLIGHT_POLL_MS: "20" });
});
afterAll(async () => {
  delete process.env.ECS_PREFLIGHT_POLL_MS;
  await fake.close();
});
afterEach(() => fake.setFaults([]));

const live = (id: string): FakeTask | undefined =>
  fake.account.clusters?.[0]?.tasks?.find((t) => t.id === id);

async function stop(args: string[], options: Parameters<typeof runCli>[1] = {}) {
  const before = fake.requests.length;
  const result = await runCli(["stop", "--cluster", "svc", "--format", "json", ...args], options);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const calls = fake.requests.slice(before);
  const stopCalls = calls.filter((c) => c.action === "StopTask");
  return { ...result, calls, stopCalls };
}

describe("stop", () => {
  it("makes no StopTask call when the task's role is broken, and exits with the check's code", async () => {
    const { code, stdout, stderr, stopCalls } = await stop(["--task", "broken", "--yes"]);
    expect(stopCalls).toEqual([]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as Report;
    expect(report.findings.find((f) => f.rule === "trust-policy")?.status).toBe("fail");
    expect(report.scope).toMatchObject({ clusters: ["svc"], tasks: ["broken"] });
    expect(stderr).toMatch(/not stopping: the check's verdict is fail \(exit 1\); no StopTask call was made/);
    expect(live("broken")?.desiredStatus).toBe("RUNNING");
  });

  it("stops the task when all is well (--yes), passing --reason", async () => {
    const { code, stdout, stderr, stopCalls, calls } = await stop([
      "--task",
      "fine",
      "--yes",
      "--reason",
      "drain before maintenance",
    ]);
    expect(JSON.parse(stdout).verdict).toBe("pass");
    // Other tasks' leftover volumes are not this stop's business: no EC2 read, no extra permission needed.
    expect(calls.filter((c) => c.service === "ec2")).toEqual([]);
    expect((JSON.parse(stdout) as Report).findings.some((f) => f.rule === "leaked-volumes")).toBe(false);
    expect(stopCalls.map((c) => c.params)).toEqual([
      { cluster: "svc", task: "fine", reason: "drain before maintenance" },
    ]);
    expect(stderr).toMatch(/StopTask accepted for task fine/);
    expect(code).toBe(0);
    expect(live("fine")).toMatchObject({
      desiredStatus: "STOPPED",
      stoppedReason: "drain before maintenance",
    });
  });

  it("a task whose EBS attachment names no role is undecided: exit 3, no StopTask", async () => {
    const { code, stdout, stopCalls } = await stop(["--task", "norole", "--yes"]);
    expect(stopCalls).toEqual([]);
    expect(code).toBe(3);
    const report = JSON.parse(stdout) as Report;
    expect(report.findings.find((f) => f.rule === "ecs-scope")?.status).toBe("unknown");
    expect(live("norole")?.desiredStatus).toBe("RUNNING");
  });

  it("asks on a terminal and stops when confirmed", async () => {
    const questions: string[] = [];
    const confirm = async (q: string) => {
      questions.push(q);
      return true;
    };
    const { code, stopCalls } = await stop(["--task", "confirm-yes"], { tty: true, confirm });
    expect(questions).toEqual(["Stop 1 task in cluster svc (confirm-yes)? [y/N] "]);
    expect(stopCalls).toHaveLength(1);
    expect(code).toBe(0);
  });

  it("checks again after the prompt: a role deleted while the operator read it stops nothing", async () => {
    const confirm = async () => {
      // The role goes while the prompt waits.
      fake.account.roles = (fake.account.roles ?? []).filter((r) => r.name !== "late-role");
      return true;
    };
    const { code, stderr, stopCalls } = await stop(["--task", "late"], { tty: true, confirm });
    expect(stopCalls).toEqual([]);
    expect(stderr).toMatch(/FAIL role-exists .*late-role/);
    expect(stderr).toMatch(/not stopping: the check no longer passes \(verdict fail\)/);
    expect(code).toBe(1);
    expect(live("late")?.desiredStatus).toBe("RUNNING");
  });

  it("ignores a config that caps a failure at warn or suppresses it: fail always blocks stop", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const config = join(mkdtempSync(join(tmpdir(), "cfg-")), "c.json");
    writeFileSync(
      config,
      JSON.stringify({
        rules: { "trust-policy": "warn" },
        suppressions: [{ rule: "trust-policy", resource: "*", reason: "audit noise" }],
      }),
    );
    const { code, stopCalls } = await stop(["--task", "broken", "--yes", "--config", config]);
    expect(stopCalls).toEqual([]);
    expect(code).toBe(1);
  });

  it("a declined confirmation stops nothing and exits 1", async () => {
    const { code, stderr, stopCalls } = await stop(["--task", "confirm-no"], {
      tty: true,
      confirm: async () => false,
    });
    expect(stopCalls).toEqual([]);
    expect(stderr).toMatch(/not confirmed; no task was stopped/);
    expect(code).toBe(1);
  });

  it("no terminal and no --yes is a usage error before any AWS call", async () => {
    const { code, stderr, calls } = await stop(["--task", "fine"]);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      "ecs-preflight: error: stop: no terminal to confirm on: pass --yes to stop the tasks without asking",
    );
    expect(calls).toEqual([]);
  });

  it("a warning proceeds by default and blocks with --fail-on warn", async () => {
    const blocked = await stop(["--task", "warned", "--yes", "--fail-on", "warn"]);
    expect(JSON.parse(blocked.stdout).verdict).toBe("warn");
    expect(blocked.stopCalls).toEqual([]);
    expect(blocked.code).toBe(1);
    const proceeded = await stop(["--task", "warned", "--yes"]);
    expect(proceeded.stopCalls).toHaveLength(1);
    expect(proceeded.code).toBe(0);
  });

  it("a task ECS does not know leaves the check undecided: exit 3, no StopTask", async () => {
    const { code, stopCalls } = await stop(["--task", "nope", "--yes"]);
    expect(stopCalls).toEqual([]);
    expect(code).toBe(3);
  });

  it("StopTask denied: exit 1, naming the task and the error", async () => {
    fake.setFaults([{ service: "ecs", action: "StopTask", kind: "access-denied" }]);
    const { code, stderr, stopCalls } = await stop(["--task", "denied", "--yes"]);
    expect(stopCalls).toHaveLength(1);
    expect(stderr).toMatch(/StopTask failed for task denied: AccessDenied/);
    expect(code).toBe(1);
  });

  describe("--wait", () => {
    it("polls until the task leaves DEPROVISIONING for STOPPED", async () => {
      // Move the task on once a poll after StopTask has seen it DEPROVISIONING (the fake answers a request in the
      // tick it records it), so the order is fixed however slow the machine is.
      const from = fake.requests.length;
      const moveOn = setInterval(() => {
        const after = fake.requests.slice(from);
        const stopped = after.findIndex((r) => r.action === "StopTask");
        if (stopped >= 0 && after.slice(stopped + 1).some((r) => r.action === "DescribeTasks")) {
          const task = live("wait-ok");
          if (task) task.lastStatus = "STOPPED";
          clearInterval(moveOn);
        }
      }, 1);
      try {
        const { code, stderr, calls } = await stop(["--task", "wait-ok", "--yes", "--wait"]);
        const stopIndex = calls.findIndex((c) => c.action === "StopTask");
        const polls = calls.slice(stopIndex + 1).filter((c) => c.action === "DescribeTasks");
        expect(polls.length).toBeGreaterThan(1); // it saw DEPROVISIONING, then STOPPED
        expect(stderr).toMatch(/every task reached STOPPED \(wait-ok\)/);
        expect(code).toBe(0);
      } finally {
        clearInterval(moveOn);
      }
    });

    it("fails when a task stays DEPROVISIONING past --stuck-after, naming it and its volume", async () => {
      const { code, stderr, stopCalls, calls } = await stop([
        "--task",
        "wait-stuck",
        "--yes",
        "--wait",
        "--stuck-after",
        "1s",
      ]);
      expect(stopCalls).toHaveLength(1);
      expect(stderr).toMatch(
        /task wait-stuck is still DEPROVISIONING after 1s, longer than --stuck-after 1s: EBS volume vol-0stuck attachment ATTACHED/,
      );
      expect(code).toBe(1);
      // It gave up at --stuck-after rather than polling on: 1 s at a 20 ms interval is at most ~50 polls.
      expect(calls.filter((c) => c.action === "DescribeTasks").length).toBeLessThan(80);
    });
  });

  describe("usage errors: exit 2, one line, no AWS call", () => {
    it.each([
      [["stop", "--cluster", "svc", "--yes"], /required option '--task <id>' not specified/],
      [["stop", "--task", "fine", "--yes"], /required option '--cluster <name>' not specified/],
      [
        ["stop", "--cluster", "a,b", "--task", "fine", "--yes"],
        /--cluster: stop takes exactly one cluster, got a,b/,
      ],
      [
        ["stop", "--cluster", "svc", "--task", `${ECS}:task/other/t1`, "--yes"],
        /is in cluster other, which is not among --cluster svc/,
      ],
      [
        ["stop", "--cluster", "svc", "--task", "fine", "--yes", "--stuck-after", "soon"],
        /expected a duration such as 90s, 15m, 2h or 1d/,
      ],
      [
        ["stop", "--cluster", "svc", "--task", "fine", "--yes", "--snapshot", "x.json"],
        /unknown option '--snapshot'/,
      ],
    ])("%j", async (args, message) => {
      const before = fake.requests.length;
      const { code, stderr } = await runCli(args);
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(fake.requests.length).toBe(before);
    });

    it("a bad ECS_PREFLIGHT_POLL_MS is a usage error", async () => {
      const { code, stderr } = await runCli(["stop", "--cluster", "svc", "--task", "fine", "--yes"], {
        env: { ECS_PREFLIGHT_POLL_MS: "fast" },
      });
      expect(code).toBe(2);
      expect(stderr).toMatch(/ECS_PREFLIGHT_POLL_MS: expected a whole number of milliseconds, got "fast"/);
    });
  });

  it("the bundled binary: no --yes without a terminal exits 2; with --yes it stops the task", async () => {
    const refused = await runBundle(["stop", "--cluster", "svc", "--task", "bundle"], fake.env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/pass --yes/);
    const stopped = await runBundle(
      ["stop", "--cluster", "svc", "--task", "bundle", "--yes", "--format", "json"],
      fake.env(),
    );
    expect(stopped.code).toBe(0);
    expect(JSON.parse(stopped.stdout).verdict).toBe("pass");
    expect(live("bundle")?.desiredStatus).toBe("STOPPED");
  });
});

describe("StopTask is the only write call", () => {
  function sources(dir: string): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
    });
  }

  it("StopTaskCommand appears in exactly one file of src/ and rules/", () => {
    const users = [...sources("src"), ...sources("rules")].filter((file) =>
      readFileSync(file, "utf8").includes("StopTaskCommand"),
    );
    expect(users).toEqual([join("src", "collect", "ecs-stop.ts")]);
  });

  it("no other ECS write command is imported anywhere", () => {
    const writes =
      /\b(RunTask|StartTask|UpdateService|CreateService|DeleteService|DeregisterTaskDefinition|UpdateCluster|DeleteCluster)Command\b/;
    const users = [...sources("src"), ...sources("rules")].filter((file) =>
      writes.test(readFileSync(file, "utf8")),
    );
    expect(users).toEqual([]);
  });
});
