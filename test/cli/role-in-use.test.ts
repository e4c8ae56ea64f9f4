import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.ts";
import type { FakeAccount } from "../fake-aws/account.ts";
import {
  ACCOUNT_ID,
  awsManagedVolumesPolicy,
  ebsService,
  ebsTask,
  infrastructureRole,
  roleArnOf,
} from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { checkJson } from "../support/cli.ts";

/** End to end: `check --before-role-change` blocks while a task still holds the role, and lets it go once STOPPED. */

const ROLE = "ecsInfrastructureRole";
const ROLE_ARN = roleArnOf(ROLE);

const account: FakeAccount = {
  accountId: ACCOUNT_ID,
  roles: [infrastructureRole(), infrastructureRole({ name: "other-role" })],
  managedPolicies: [awsManagedVolumesPolicy()],
  clusters: [
    {
      name: "prod",
      services: [ebsService({ name: "web", roleArn: roleArnOf("other-role") })],
      tasks: [
        ebsTask({ id: "holder", roleArn: ROLE_ARN, volumeId: "vol-0holder" }),
        ebsTask({ id: "web1", roleArn: roleArnOf("other-role"), service: "web" }),
      ],
    },
  ],
};

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws(account);
  Object.assign(process.env, fake.env());
});
afterAll(() => fake.close());
afterEach(() => fake.setFaults([]));

const holder = () => fake.account.clusters?.[0]?.tasks?.find((t) => t.id === "holder");
const inUseFindings = (report: Report) => report.findings.filter((f) => f.rule === "role-in-use");

describe("check --before-role-change", () => {
  it("exits 1 while a task is RUNNING with the role, and 0 once it is STOPPED", async () => {
    const running = await checkJson(fake, "--role", ROLE, "--cluster", "prod", "--before-role-change");
    expect(running.code).toBe(1);
    // The named role is about to change; other-role, which prod also uses, is only listed.
    expect(inUseFindings(running.report)).toEqual([
      expect.objectContaining({
        status: "fail",
        resource: ROLE_ARN,
        message: expect.stringMatching(/still in use by 1 task \(holder RUNNING\)/),
      }),
      expect.objectContaining({ status: "pass", resource: roleArnOf("other-role") }),
    ]);
    const task = holder();
    if (!task) throw new Error("fixture: no holder task");
    Object.assign(task, { lastStatus: "STOPPED", desiredStatus: "STOPPED" });
    try {
      const stopped = await checkJson(fake, "--role", ROLE, "--cluster", "prod", "--before-role-change");
      expect(inUseFindings(stopped.report).map((f) => f.status)).toEqual(["pass", "pass"]);
      expect(stopped.code).toBe(0);
    } finally {
      Object.assign(task, { lastStatus: "RUNNING", desiredStatus: "RUNNING" });
    }
  });

  it("a config that turns role-in-use off, caps it at warn or suppresses it does not open the gate", async () => {
    const dir = mkdtempSync(join(tmpdir(), "role-in-use-"));
    const configs = {
      off: { rules: { "role-in-use": "off" } },
      warn: { rules: { "role-in-use": "warn" } },
      suppressed: {
        suppressions: [{ rule: "role-in-use", resource: "*", reason: "noisy in the nightly audit" }],
      },
    };
    for (const [name, config] of Object.entries(configs)) {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(config));
      const r = await checkJson(
        fake,
        "--role",
        ROLE,
        "--cluster",
        "prod",
        "--before-role-change",
        "--config",
        file,
      );
      expect({ name, code: r.code }).toEqual({ name, code: 1 });
      expect(inUseFindings(r.report)).toContainEqual(
        expect.objectContaining({ status: "fail", resource: ROLE_ARN }),
      );
      expect(inUseFindings(r.report).find((f) => f.resource === ROLE_ARN)?.suppressed).toBeUndefined();
    }
    // The same config still applies to a normal check: there the rule only lists who uses the role.
    const normal = await checkJson(
      fake,
      "--role",
      ROLE,
      "--cluster",
      "prod",
      "--config",
      join(dir, "off.json"),
    );
    expect(inUseFindings(normal.report)).toEqual([]);
  });

  it("with only --role it reads every cluster, and judges only the named role", async () => {
    const { code, report, calls } = await checkJson(fake, "--role", ROLE, "--before-role-change");
    expect(calls.some((c) => c.action === "ListClusters")).toBe(true);
    // The question is the role's use: no EC2 volumes read, and other-role (used by prod/web) is not brought in.
    expect(calls.some((c) => c.service === "ec2")).toBe(false);
    expect(report.findings.filter((f) => f.resource.endsWith("role/other-role"))).toEqual([]);
    expect(inUseFindings(report).map((f) => [f.resource, f.status])).toEqual([[ROLE_ARN, "fail"]]);
    expect(code).toBe(1);
  });

  it("a service scaled to 0 with no task left: warn (exit 0), saying its next scale-up breaks; scaled up it fails", async () => {
    const dormant = ebsService({
      name: "dormant",
      roleArn: roleArnOf("idle-role"),
      desiredCount: 0,
      runningCount: 0,
    });
    fake.account.roles?.push(infrastructureRole({ name: "idle-role" }));
    fake.account.clusters?.push({ name: "idle", services: [dormant] });
    try {
      const idle = await checkJson(fake, "--role", "idle-role", "--before-role-change");
      expect(inUseFindings(idle.report)).toEqual([
        expect.objectContaining({
          status: "warn",
          resource: roleArnOf("idle-role"),
          message: expect.stringMatching(
            /scaled to 0 with no task left \(idle\/dormant\).*next scale-up starts tasks whose EBS volumes ECS cannot manage/,
          ),
        }),
      ]);
      expect(idle.code).toBe(0);
      Object.assign(dormant, { desiredCount: 1, runningCount: 1 });
      const scaled = await checkJson(fake, "--role", "idle-role", "--before-role-change");
      expect(inUseFindings(scaled.report).map((f) => f.status)).toEqual(["fail"]);
      expect(scaled.code).toBe(1);
    } finally {
      fake.account.roles?.pop();
      fake.account.clusters?.pop();
    }
  });

  it("cannot read a cluster's tasks: unknown, exit 3 (never free without looking)", async () => {
    fake.setFaults([{ service: "ecs", action: "ListTasks", kind: "access-denied" }]);
    const { code, report } = await checkJson(fake, "--role", ROLE, "--before-role-change");
    expect(inUseFindings(report).map((f) => f.status)).toEqual(["unknown"]);
    expect(code).toBe(3);
  });
});

describe("role-in-use in a normal check", () => {
  it("passes and lists who uses the role; exit 0", async () => {
    const { code, report } = await checkJson(fake, "--cluster", "prod");
    expect(code).toBe(0);
    const byRole = Object.fromEntries(inUseFindings(report).map((f) => [f.resource, f]));
    expect(byRole[ROLE_ARN]).toMatchObject({
      status: "pass",
      message: expect.stringMatching(/1 task \(holder RUNNING\)/),
    });
    expect(byRole[roleArnOf("other-role")]).toMatchObject({
      status: "pass",
      message: expect.stringMatching(/1 task \(web1 RUNNING\) and 1 service \(prod\/web\)/),
    });
  });

  it("a --role-only check reads no ECS and reports nothing for the rule (no new exit 3)", async () => {
    const { code, report, calls } = await checkJson(fake, "--role", ROLE);
    expect(calls.some((c) => c.service === "ecs")).toBe(false);
    expect(inUseFindings(report)).toEqual([]);
    expect(code).toBe(0);
  });
});
