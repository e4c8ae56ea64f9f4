import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
import { runCli } from "../support/cli.ts";

/** End to end: check --plan through the CLI, the real SDK clients and the fake AWS over HTTP. */

const PLANS = join(import.meta.dirname, "../changes/terraform/fixtures");
const plan = (name: string) => join(PLANS, `${name}.json`);
const ROLE = roleArnOf("ecs-infra");
const INLINE_GRANT = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: ["ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes"],
      Resource: "*",
    },
  ],
};
const dir = mkdtempSync(join(tmpdir(), "plan-cli-"));

function account(taskStatus: "RUNNING" | "STOPPED"): FakeAccount {
  return {
    accountId: ACCOUNT_ID,
    roles: [
      infrastructureRole({ name: "ecs-infra" }),
      infrastructureRole({ name: "unrelated" }),
      infrastructureRole({ name: "inline-infra", attached: [], inline: { "ecs-volumes": INLINE_GRANT } }),
    ],
    managedPolicies: [awsManagedVolumesPolicy()],
    clusters: [
      {
        name: "prod",
        // A service whose deployment names an unrelated role: with --plan alone only the plan's roles are judged.
        services:
          taskStatus === "RUNNING" ? [] : [ebsService({ name: "other", roleArn: roleArnOf("unrelated") })],
        tasks: [
          ebsTask({ id: "a1b2", roleArn: ROLE, lastStatus: taskStatus, volumeId: "vol-0a1" }),
          ebsTask({
            id: "c3d4",
            roleArn: roleArnOf("inline-infra"),
            lastStatus: "RUNNING",
            volumeId: "vol-0c3",
          }),
        ],
      },
    ],
  };
}

async function check(fake: FakeAws | undefined, ...args: string[]) {
  const before = fake?.requests.length ?? 0;
  // The SDK reads credentials and endpoints from process.env: point it at this test's fake.
  if (fake) Object.assign(process.env, fake.env());
  const { code, stdout, stderr } = await runCli(["check", "--format", "json", ...args]);
  expect(stderr).not.toMatch(/\n\s+at /);
  return {
    code,
    stderr,
    report: stdout ? (JSON.parse(stdout) as Report) : undefined,
    calls: fake?.requests.slice(before) ?? [],
  };
}

const planned = (report: Report | undefined) =>
  report?.findings.filter((f) => f.rule === "planned-role-changes");

describe("check --plan against the fake AWS", () => {
  let running: FakeAws;
  let stopped: FakeAws;
  beforeAll(async () => {
    running = await startFakeAws(account("RUNNING"));
    stopped = await startFakeAws(account("STOPPED"));
  });
  afterAll(async () => {
    await running.close();
    await stopped.close();
  });

  it("a plan deleting a role a RUNNING task uses: exit 1, naming the address and the safe order", async () => {
    const { code, report, calls } = await check(running, "--plan", plan("delete-role"));
    expect(code).toBe(1);
    const [f] = planned(report) ?? [];
    expect(f).toMatchObject({ status: "fail", resource: ROLE });
    expect(f?.message).toMatch(
      /aws_iam_role\.infra deletes the role: ecs-infra would be deleted, while 1 task \(a1b2 RUNNING\)/,
    );
    expect(f?.remediation).toMatch(/ecs-preflight wait --role ecs-infra/);
    // The plan's role was collected, and ECS read in every cluster to see who uses it.
    expect(calls.some((c) => c.action === "GetRole" && c.params.RoleName === "ecs-infra")).toBe(true);
    expect(calls.some((c) => c.action === "ListClusters")).toBe(true);
  });

  it("the same plan with the task STOPPED: exit 0, saying nothing uses the role; no other role is judged", async () => {
    const { code, report, calls } = await check(stopped, "--plan", plan("delete-role"));
    expect(code).toBe(0);
    expect(planned(report)).toMatchObject([
      {
        status: "pass",
        message: expect.stringMatching(
          /nothing \(no task, service, capacity provider or Express service\) uses ecs-infra/,
        ),
      },
    ]);
    expect(report?.findings.some((f) => f.resource === roleArnOf("unrelated"))).toBe(false);
    expect(calls.some((c) => c.action === "GetRole" && c.params.RoleName === "unrelated")).toBe(false);
  });

  it("swapping an inline policy for the AWS managed policy it attaches: the policy is read, and the swap passes", async () => {
    const { code, report, calls } = await check(running, "--plan", plan("swap-inline-for-managed"));
    expect(planned(report)).toMatchObject([
      {
        status: "pass",
        resource: roleArnOf("inline-infra"),
        message: expect.stringMatching(
          /deletes the inline policy ecs-volumes.*attaches .*AmazonECSInfrastructureRolePolicyForVolumes/,
        ),
      },
    ]);
    expect(
      calls.some((c) => c.action === "GetPolicyVersion" && String(c.params.PolicyArn).endsWith("ForVolumes")),
    ).toBe(true);
    expect(code).toBe(0);
  });

  it("an attachment moved to a new address without a moved block: exit 1 (the delete may run after the create)", async () => {
    const { code, report } = await check(running, "--plan", plan("move-attachment-without-moved"));
    expect(planned(report)).toMatchObject([
      { status: "fail", resource: ROLE, message: expect.stringMatching(/lose ec2:DetachVolume/) },
    ]);
    expect(code).toBe(1);
  });

  it("a plan creating a role: the new role is judged from the plan, not reported missing today", async () => {
    const created = JSON.parse(readFileSync(plan("tags-only"), "utf8"));
    const role = created.resource_changes.find((c: { type: string }) => c.type === "aws_iam_role");
    const { arn: _, ...after } = { ...role.change.before, name: "new-infra", id: undefined };
    role.change = { actions: ["create"], before: null, after, after_unknown: { arn: true, id: true } };
    const file = join(dir, "create.json");
    writeFileSync(file, JSON.stringify(created));
    const { code, report, calls } = await check(stopped, "--plan", file);
    expect(calls.some((c) => c.action === "GetRole" && c.params.RoleName === "new-infra")).toBe(false);
    expect(report?.findings.filter((f) => f.status !== "pass")).toEqual([]);
    expect(planned(report)).toMatchObject([
      { status: "pass", message: expect.stringMatching(/creates the role/) },
    ]);
    expect(code).toBe(0);
  });

  it("with --role, the roles in scope are the union: the flag's and the plan's", async () => {
    const { report } = await check(stopped, "--plan", plan("tags-only"), "--role", "unrelated");
    const roles = new Set(report?.findings.filter((f) => f.rule === "role-exists").map((f) => f.resource));
    expect(roles).toEqual(new Set([ROLE, roleArnOf("unrelated")]));
    expect(planned(report)?.map((f) => f.status)).toEqual(["pass"]);
  });

  it("--plan with --snapshot works offline; a role the snapshot lacks is unknown, saying so", async () => {
    const snap = join(dir, "snap.json");
    Object.assign(process.env, running.env());
    const taken = await runCli(["snapshot", "--out", snap]);
    expect(taken.code).toBe(0);
    const offline = await check(undefined, "--snapshot", snap, "--plan", plan("detach-managed-policy"));
    expect(offline.code).toBe(1);
    expect(planned(offline.report)?.[0]?.message).toMatch(
      /aws_iam_role_policy_attachment\.volumes deletes the attachment/,
    );
    expect(offline.report?.scope.source).toBe("snapshot");

    const roleOnly = join(dir, "unrelated.json");
    expect((await runCli(["snapshot", "--role", "unrelated", "--out", roleOnly])).code).toBe(0);
    const calls = running.requests.length;
    const lacking = await check(undefined, "--snapshot", roleOnly, "--plan", plan("detach-managed-policy"));
    expect(lacking.code).toBe(3);
    expect(running.requests.length).toBe(calls); // offline: no AWS call
    expect(planned(lacking.report)).toMatchObject([
      { status: "unknown", resource: ROLE, message: expect.stringMatching(/do not include role ecs-infra/) },
    ]);
  });

  const bad: [string, Buffer | string, RegExp][] = [
    ["a binary plan (zip)", Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), /binary plan file/],
    [
      "terraform plan -json output",
      `${JSON.stringify({ "@level": "info", "@message": "Terraform 1.9.8", type: "version" })}\n`,
      /terraform plan -json/,
    ],
    ["JSON that is not a plan", '{"hello": "world"}', /no format_version/],
    [
      "another format version",
      JSON.stringify({ format_version: "2.0", planned_values: {} }),
      /format_version "2\.0"/,
    ],
  ];
  it.each(bad)(
    "%s: exit 2 with one line naming the file, before any AWS call",
    async (_, content, reason) => {
      const file = join(dir, "bad-plan.json");
      writeFileSync(file, content);
      const { code, stderr, calls } = await check(running, "--plan", file);
      expect(code).toBe(2);
      expect(calls).toEqual([]);
      const lines = stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(file);
      expect(lines[0]).toMatch(reason);
      expect(lines[0]).toMatch(/terraform show -json/);
    },
  );

  it("a missing plan file: exit 2 before any AWS call", async () => {
    const { code, stderr, calls } = await check(running, "--plan", join(dir, "nope.json"));
    expect(code).toBe(2);
    expect(calls).toEqual([]);
    expect(stderr).toMatch(/nope\.json: cannot read the plan \(no such file\)/);
  });

  it("the fixtures are what the rule table reads (one source)", () => {
    expect(JSON.parse(readFileSync(plan("delete-role"), "utf8")).format_version).toBe("1.2");
  });
});

describe("check --plan: a managed policy the plan rewrites, attached outside the plan", () => {
  const CUSTOM = `arn:aws:iam::${ACCOUNT_ID}:policy/ecs-volumes`;
  let fake: FakeAws;
  beforeAll(async () => {
    fake = await startFakeAws({
      accountId: ACCOUNT_ID,
      // Attached by another stack (or the console): the plan changes only the policy.
      roles: [infrastructureRole({ name: "custom-infra", attached: [CUSTOM] })],
      managedPolicies: [{ arn: CUSTOM, defaultVersionId: "v1", versions: { v1: INLINE_GRANT } }],
      clusters: [
        {
          name: "prod",
          tasks: [ebsTask({ id: "e5f6", roleArn: roleArnOf("custom-infra"), lastStatus: "RUNNING" })],
        },
      ],
    });
  });
  afterAll(async () => fake.close());

  it("a new default version without ec2:DeleteVolume fails for the role a RUNNING task uses", async () => {
    const { code, report } = await check(fake, "--plan", plan("customer-policy-drops-delete-volume"));
    expect(planned(report)).toMatchObject([
      {
        status: "fail",
        resource: roleArnOf("custom-infra"),
        message: expect.stringMatching(
          /aws_iam_policy\.volumes sets a new default version.*lose ec2:DeleteVolume/,
        ),
      },
    ]);
    expect(code).toBe(1);
  });
});
