import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Facts } from "../../src/facts/types.ts";
import type { Report } from "../../src/report/types.ts";
import {
  ACCOUNT_ID,
  awsManagedVolumesPolicy,
  ebsService,
  ebsTask,
  infrastructureRole,
  roleArnOf,
} from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { checkJson, runCli } from "../support/cli.ts";

/** End to end: pass-role through the CLI, the real IAM and STS clients and the fake AWS. */

const INFRA = roleArnOf("ecsInfrastructureRole");
const GROUP_POLICY = `arn:aws:iam::${ACCOUNT_ID}:policy/deploy/ecs-deployers`;
const USER_CALLS = [
  "GetUser",
  "ListUserPolicies",
  "GetUserPolicy",
  "ListAttachedUserPolicies",
  "ListGroupsForUser",
  "ListGroupPolicies",
  "GetGroupPolicy",
  "ListAttachedGroupPolicies",
  "GetAccountAuthorizationDetails",
];
const documented = (resource: string) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Action: "iam:PassRole",
      Effect: "Allow",
      Resource: [resource],
      Condition: { StringEquals: { "iam:PassedToService": "ecs.amazonaws.com" } },
    },
  ],
});
const readOnly = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "ecs:Describe*", Resource: "*" }],
};
const passRole = (report: Report) =>
  report.findings.find((f) => f.rule === "pass-role" && f.resource === INFRA);
const dir = mkdtempSync(join(tmpdir(), "pass-role-"));
/** The caller of the first fake, judged only because it is named. */
const BUILDER = `arn:aws:iam::${ACCOUNT_ID}:user/ci/builder`;

describe("--principal names the caller, an IAM user granted through a group", () => {
  let fake: FakeAws;
  beforeAll(async () => {
    fake = await startFakeAws(
      {
        accountId: ACCOUNT_ID,
        caller: { arn: `arn:aws:iam::${ACCOUNT_ID}:user/ci/builder`, userId: "AIDAEXAMPLEBUILDER" },
        roles: [infrastructureRole()],
        users: [
          {
            name: "builder",
            path: "/ci/",
            inline: { read: readOnly },
            groups: ["readers", "deployers", "ops"],
          },
        ],
        groups: [
          { name: "readers", inline: { read: readOnly } },
          { name: "deployers", path: "/teams/", attached: [GROUP_POLICY] },
          { name: "ops" },
        ],
        managedPolicies: [
          awsManagedVolumesPolicy(),
          // v1 granted nothing: only the default version counts.
          {
            arn: GROUP_POLICY,
            defaultVersionId: "v2",
            versions: { v1: readOnly, v2: documented("arn:aws:iam::*:role/ecsInfrastructure*") },
          },
        ],
        clusters: [{ name: "svc", tasks: [ebsTask({ id: "t1", roleArn: INFRA, volumeId: "vol-1" })] }],
      },
      // Two items a page: ListGroupsForUser takes two calls.
      { pageSize: { iam: 2 } },
    );
    Object.assign(process.env, fake.env());
  });
  afterAll(() => fake.close());
  afterEach(() => fake.setFaults([]));

  it("passes on the group's managed policy at its default version v2, every page read", async () => {
    const { code, report, calls } = await checkJson(
      fake,
      "--role",
      "ecsInfrastructureRole",
      "--principal",
      BUILDER,
    );
    expect(passRole(report)).toMatchObject({
      status: "pass",
      message: expect.stringMatching(
        /^user arn:aws:iam::111122223333:user\/ci\/builder may pass ecsInfrastructureRole to ECS: .*policy\/deploy\/ecs-deployers \(v2\) statement 1 of group deployers/,
      ),
    });
    expect(code).toBe(0);
    expect(calls.filter((c) => c.action === "ListGroupsForUser")).toHaveLength(2);
    expect(calls.filter((c) => c.action === "GetUser").map((c) => c.params)).toEqual([
      { UserName: "builder" },
    ]);
    const versions = calls.filter(
      (c) => c.action === "GetPolicyVersion" && c.params.PolicyArn === GROUP_POLICY,
    );
    expect(versions.map((c) => c.params.VersionId)).toEqual(["v2"]);
  });

  it("GetUser denied, GetAccountAuthorizationDetails allowed: judged from the account's listing (pass, exit 0)", async () => {
    fake.setFaults([{ service: "iam", action: "GetUser", kind: "access-denied" }]);
    const { code, report, calls } = await checkJson(
      fake,
      "--role",
      "ecsInfrastructureRole",
      "--principal",
      BUILDER,
    );
    expect(passRole(report)).toMatchObject({
      status: "pass",
      message: expect.stringMatching(
        /user arn:aws:iam::111122223333:user\/ci\/builder .*\(v2\) statement 1 of group deployers/,
      ),
    });
    expect(code).toBe(0);
    const listing = calls.filter((c) => c.action === "GetAccountAuthorizationDetails");
    expect(listing.length).toBeGreaterThan(1); // two entities a page: every page read
    expect(listing[0]?.params).toMatchObject({ "Filter.member.1": "User", "Filter.member.2": "Group" });
  });

  it("GetUser and GetAccountAuthorizationDetails denied: unknown naming the permissions needed, exit 3", async () => {
    fake.setFaults([
      { service: "iam", action: "GetUser", kind: "access-denied" },
      { service: "iam", action: "GetAccountAuthorizationDetails", kind: "access-denied" },
    ]);
    const { code, report } = await checkJson(fake, "--role", "ecsInfrastructureRole", "--principal", BUILDER);
    const finding = passRole(report);
    expect(finding?.status).toBe("unknown");
    expect(finding?.message).toMatch(/iam:GetUser failed with AccessDenied/);
    expect(finding?.message).toMatch(
      /need iam:GetUser, iam:ListUserPolicies, iam:GetUserPolicy, .*iam:GetGroupPolicy/,
    );
    expect(code).toBe(3);
  });

  it("the user's group calls denied: unknown, never judged on the user's own policies alone, exit 3", async () => {
    fake.setFaults([
      { service: "iam", action: "ListAttachedGroupPolicies", kind: "access-denied" },
      { service: "iam", action: "GetAccountAuthorizationDetails", kind: "access-denied" },
    ]);
    const { code, report } = await checkJson(fake, "--role", "ecsInfrastructureRole", "--principal", BUILDER);
    expect(passRole(report)).toMatchObject({
      status: "unknown",
      message: expect.stringMatching(/iam:ListAttachedGroupPolicies failed with AccessDenied/),
    });
    expect(code).toBe(3);
  });

  it("stop does not read the user or its groups, and stops the task", async () => {
    const before = fake.requests.length;
    const { code, stdout } = await runCli([
      "stop",
      "--cluster",
      "svc",
      "--task",
      "t1",
      "--yes",
      "--format",
      "json",
    ]);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as Report).findings.some((f) => f.rule === "pass-role")).toBe(false);
    const calls = fake.requests.slice(before);
    expect(calls.filter((c) => USER_CALLS.includes(c.action))).toEqual([]);
    expect(calls.some((c) => c.action === "StopTask")).toBe(true);
  });

  it("stop with a config that sets a level for pass-role judges who deploys: a standalone task's role is skipped", async () => {
    const config = join(dir, "pass-role-on.json");
    writeFileSync(config, JSON.stringify({ rules: { "pass-role": "fail" } }));
    fake.account.clusters?.[0]?.tasks?.push(ebsTask({ id: "t2", roleArn: INFRA, volumeId: "vol-2" }));
    const before = fake.requests.length;
    const { code, stdout } = await runCli([
      "stop",
      "--cluster",
      "svc",
      "--task",
      "t2",
      "--yes",
      "--format",
      "json",
      "--config",
      config,
    ]);
    expect(code).toBe(0);
    const finding = (JSON.parse(stdout) as Report).findings.find((f) => f.rule === "pass-role");
    expect(finding?.status).toBe("skipped");
    expect(finding?.message).toMatch(/only standalone tasks.*--principal ARN/);
    // The caller is never judged by default.
    expect(fake.requests.slice(before).some((c) => c.action === "GetUser")).toBe(false);
  });

  it("a config that turns pass-role off makes check read no principal", async () => {
    const config = join(dir, "pass-role-off.json");
    writeFileSync(config, JSON.stringify({ rules: { "pass-role": "off" } }));
    const { code, calls } = await checkJson(
      fake,
      "--role",
      "ecsInfrastructureRole",
      "--principal",
      BUILDER,
      "--config",
      config,
    );
    expect(code).toBe(0);
    expect(calls.filter((c) => USER_CALLS.includes(c.action))).toEqual([]);
  });
});

describe("--principal names the deploy role; the caller may pass nothing", () => {
  let fake: FakeAws;
  beforeAll(async () => {
    fake = await startFakeAws({
      accountId: ACCOUNT_ID,
      caller: {
        arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/auditor/audit-run`,
        userId: "AROAEXAMPLEAUDIT:audit-run",
      },
      roles: [
        infrastructureRole(),
        { name: "auditor", trustPolicy: readOnly, inline: { read: readOnly } },
        {
          name: "deployer",
          path: "/teams/platform/",
          trustPolicy: readOnly,
          inline: {
            pass: documented("arn:aws:iam::*:role/ecsInfrastructureRole"),
            // Only the platform team's roles: true of this role's real ARN, which the STS ARN does not show.
            "platform-only": {
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Deny",
                  Action: "iam:PassRole",
                  Resource: "*",
                  Condition: { ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/teams/platform/*" } },
                },
              ],
            },
          },
        },
      ],
      managedPolicies: [awsManagedVolumesPolicy()],
    });
    Object.assign(process.env, fake.env());
  });
  afterAll(() => fake.close());

  it("by default the caller is not judged: a --role-only check knows no deployer, skipped naming --principal (exit 0)", async () => {
    const { code, report, calls } = await checkJson(fake, "--role", "ecsInfrastructureRole");
    const finding = passRole(report);
    expect(finding).toMatchObject({ status: "skipped", remediation: expect.stringMatching(/--principal/) });
    expect(finding?.message).toMatch(/ECS was not read.*--principal ARN/);
    expect(code).toBe(0);
    expect(calls.filter((c) => c.action === "GetRole").map((c) => c.params.RoleName)).not.toContain(
      "auditor",
    );
  });

  it("the caller named with --principal is judged: it may not pass the role (fail, exit 1, the fix for it)", async () => {
    const caller = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/auditor/audit-run`;
    const { code, report } = await checkJson(fake, "--role", "ecsInfrastructureRole", "--principal", caller);
    const finding = passRole(report);
    expect(finding).toMatchObject({ status: "fail" });
    expect(finding?.message).toMatch(/role arn:aws:iam::111122223333:role\/auditor may not pass/);
    expect(finding?.remediation).toMatch(
      /^aws iam put-role-policy --role-name auditor --policy-name PassEcsInfrastructureRole/,
    );
    expect(code).toBe(1);
  });

  it("--principal as an assumed-role ARN judges that role, read by name with its path (pass, exit 0)", async () => {
    const principal = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/deployer/github-actions`;
    const { code, report, calls } = await checkJson(
      fake,
      "--role",
      "ecsInfrastructureRole",
      "--principal",
      principal,
    );
    expect(passRole(report)).toMatchObject({
      status: "pass",
      details: {
        principal: {
          arn: "arn:aws:iam::111122223333:role/teams/platform/deployer",
          source: "flag",
          ref: principal,
        },
      },
    });
    expect(code).toBe(0);
    expect(calls.filter((c) => c.action === "GetRole").map((c) => c.params.RoleName)).toContain("deployer");
    expect(calls.filter((c) => USER_CALLS.includes(c.action))).toEqual([]);
  });

  it("--principal as the root user: it may pass any role, a warning not to deploy as root (exit 0), with no IAM read for it", async () => {
    const { code, report, calls } = await checkJson(
      fake,
      "--role",
      "ecsInfrastructureRole",
      "--principal",
      `arn:aws:iam::${ACCOUNT_ID}:root`,
    );
    expect(passRole(report)?.status).toBe("warn");
    expect(passRole(report)?.message).toMatch(/root user.*should not run as root/);
    expect(code).toBe(0);
    expect(calls.filter((c) => USER_CALLS.includes(c.action))).toEqual([]);
    expect(new Set(calls.filter((c) => c.action === "GetRole").map((c) => c.params.RoleName))).toEqual(
      new Set(["ecsInfrastructureRole"]),
    );
  });

  it("--principal as another account's root user: it cannot pass this account's role, unknown (exit 3), not a warning", async () => {
    const { code, report } = await checkJson(
      fake,
      "--role",
      "ecsInfrastructureRole",
      "--principal",
      "arn:aws:iam::999999999999:root",
    );
    expect(passRole(report)?.status).toBe("unknown");
    expect(passRole(report)?.message).toMatch(/999999999999/);
    expect(code).toBe(3);
  });

  it("a --principal that is not a role, user or assumed-role ARN is exit 2 before any AWS call", async () => {
    for (const bad of ["deployer", "arn:aws:iam::111122223333:policy/p", "arn:aws:iam::1234:role/x"]) {
      const before = fake.requests.length;
      const { code, stderr } = await runCli(["check", "--role", "ecsInfrastructureRole", "--principal", bad]);
      expect(code, bad).toBe(2);
      expect(stderr).toMatch(/--principal.*expected an IAM role ARN/);
      expect(fake.requests.length).toBe(before);
    }
  });

  it("snapshot --principal keeps the principal; check --snapshot replays it and refuses --principal", async () => {
    const file = join(dir, "facts.json");
    const principal = `arn:aws:iam::${ACCOUNT_ID}:role/teams/platform/deployer`;
    const snap = await runCli([
      "snapshot",
      "--role",
      "ecsInfrastructureRole",
      "--principal",
      principal,
      "--out",
      file,
    ]);
    expect(snap.code).toBe(0);
    const facts = JSON.parse(readFileSync(file, "utf8")) as Facts;
    expect(facts.principal).toBeUndefined();
    expect(facts.principals).toMatchObject([
      {
        ref: principal,
        origin: { kind: "flag" },
        facts: { ok: true, value: { kind: "role", source: "flag", path: "/teams/platform/" } },
      },
    ]);
    const replay = await runCli(["check", "--snapshot", file, "--format", "json"]);
    expect(passRole(JSON.parse(replay.stdout) as Report)?.status).toBe("pass");
    const refused = await runCli(["check", "--snapshot", file, "--principal", principal]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--principal cannot be combined with --snapshot/);
  });
});

describe("who deploys: the services' createdBy, judged for a read-only checker", () => {
  let fake: FakeAws;
  const BATCH_INFRA = roleArnOf("batchInfraRole");
  /** createdBy as ECS reports it: the role's ARN without its path (/ci/). */
  const DEPLOYER = roleArnOf("deployer");
  const INTERN = roleArnOf("intern");
  beforeAll(async () => {
    fake = await startFakeAws({
      accountId: ACCOUNT_ID,
      // The audit identity may read, and pass nothing.
      caller: {
        arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/auditor/audit-run`,
        userId: "AROAEXAMPLEAUDIT:audit-run",
      },
      roles: [
        infrastructureRole(),
        infrastructureRole({ name: "batchInfraRole" }),
        { name: "auditor", trustPolicy: readOnly, inline: { read: readOnly } },
        {
          name: "deployer",
          path: "/ci/",
          trustPolicy: readOnly,
          inline: { pass: documented("arn:aws:iam::*:role/ecsInfrastructureRole") },
        },
        { name: "intern", trustPolicy: readOnly, inline: { read: readOnly } },
      ],
      managedPolicies: [awsManagedVolumesPolicy()],
      clusters: [
        { name: "prod", services: [ebsService({ name: "web", roleArn: INFRA, createdBy: DEPLOYER })] },
        { name: "staging", services: [ebsService({ name: "api", roleArn: INFRA, createdBy: INTERN })] },
        { name: "batch", tasks: [ebsTask({ id: "job-1", roleArn: BATCH_INFRA, volumeId: "vol-9" })] },
      ],
    });
    Object.assign(process.env, fake.env());
  });
  afterAll(() => fake.close());

  it("a healthy account: pass-role judges the services' creator, read by name with its path (exit 0)", async () => {
    const { code, report, calls } = await checkJson(fake, "--cluster", "prod");
    expect(passRole(report)).toMatchObject({
      status: "pass",
      message: expect.stringMatching(
        /^role arn:aws:iam::111122223333:role\/ci\/deployer \(created web\) may pass ecsInfrastructureRole to ECS/,
      ),
      details: { principal: { ref: DEPLOYER, source: "created-by" } },
    });
    expect(code).toBe(0);
    const roleReads = calls.filter((c) => c.action === "GetRole").map((c) => c.params.RoleName);
    expect(roleReads).toContain("deployer");
    expect(roleReads).not.toContain("auditor");
    expect(calls.some((c) => c.action === "GetCallerIdentity")).toBe(true);
  });

  it("a deployer without PassRole: exit 1, and the fix printed names the deployer, never the checker", async () => {
    const { code, stdout } = await runCli(["check", "--cluster", "staging", "--no-color"]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/role arn:aws:iam::111122223333:role\/intern \(created api\) may not pass/);
    expect(stdout).toMatch(
      /aws iam put-role-policy --role-name intern --policy-name PassEcsInfrastructureRole/,
    );
    expect(stdout).not.toMatch(/auditor/);
  });

  it("a role only standalone tasks use: pass-role skipped, naming --principal (exit 0)", async () => {
    const { code, report } = await checkJson(fake, "--cluster", "batch");
    const finding = report.findings.find((f) => f.rule === "pass-role");
    expect(finding).toMatchObject({ status: "skipped", resource: BATCH_INFRA });
    expect(finding?.message).toMatch(/only standalone tasks.*--principal ARN/);
    expect(code).toBe(0);
  });

  it("--principal is repeatable and replaces the creators: each named principal judged, one finding each", async () => {
    const { code, report } = await checkJson(
      fake,
      "--cluster",
      "prod",
      "--principal",
      `arn:aws:iam::${ACCOUNT_ID}:role/ci/deployer`,
      "--principal",
      INTERN,
    );
    const findings = report.findings.filter((f) => f.rule === "pass-role");
    expect(Object.fromEntries(findings.map((f) => [f.resource, f.status]))).toEqual({
      [`${INFRA} (deployer arn:aws:iam::${ACCOUNT_ID}:role/ci/deployer)`]: "pass",
      [`${INFRA} (deployer ${INTERN})`]: "fail",
    });
    expect(
      findings.every((f) => (f.details as { principal: { source: string } }).principal.source === "flag"),
    ).toBe(true);
    expect(code).toBe(1);
  });

  it("a snapshot keeps the principals with their origin, and an old snapshot with `principal` still loads", async () => {
    const file = join(dir, "deployers.json");
    const snap = await runCli(["snapshot", "--cluster", "prod", "--out", file]);
    expect(snap.code).toBe(0);
    const facts = JSON.parse(readFileSync(file, "utf8")) as Facts;
    expect(facts.principals).toMatchObject([
      {
        ref: DEPLOYER,
        origin: { kind: "created-by", services: [expect.stringMatching(/service\/prod\/web$/)] },
        facts: { ok: true, value: { kind: "role", path: "/ci/", source: "created-by" } },
      },
    ]);
    const replay = await runCli(["check", "--snapshot", file, "--format", "json"]);
    expect(replay.code).toBe(0);
    expect(passRole(JSON.parse(replay.stdout) as Report)?.status).toBe("pass");

    // An older version wrote one `principal` (a --principal, or the caller): read as a one-element list.
    const { principals, ...rest } = facts;
    const legacy = principals?.[0]?.facts;
    if (!legacy?.ok) throw new Error("expected the deployer's facts");
    const old = join(dir, "old.json");
    writeFileSync(
      old,
      JSON.stringify({ ...rest, principal: { ok: true, value: { ...legacy.value, source: "flag" } } }),
    );
    const loaded = await runCli(["check", "--snapshot", old, "--format", "json"]);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(passRole(JSON.parse(loaded.stdout) as Report)).toMatchObject({
      status: "pass",
      details: { principal: { source: "flag", arn: `arn:aws:iam::${ACCOUNT_ID}:role/ci/deployer` } },
    });
  });

  it("an old snapshot that judged the checker by default: the checker is not judged now (skipped, exit 0)", async () => {
    // An older version judged the caller when no --principal was given: its snapshot holds the auditor's policies.
    const file = join(dir, "auditor.json");
    const auditor = `arn:aws:iam::${ACCOUNT_ID}:role/auditor`;
    const snap = await runCli(["snapshot", "--cluster", "prod", "--principal", auditor, "--out", file]);
    expect(snap.code).toBe(0);
    const { principals, ...rest } = JSON.parse(readFileSync(file, "utf8")) as Facts;
    const checker = principals?.[0]?.facts;
    if (!checker?.ok) throw new Error("expected the auditor's facts");
    const callerArn = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/auditor/audit-run`;
    const old = join(dir, "old-caller.json");
    writeFileSync(
      old,
      JSON.stringify({
        ...rest,
        principal: { ok: true, value: { ...checker.value, ref: callerArn, source: "caller" } },
      }),
    );
    const loaded = await runCli(["check", "--snapshot", old, "--format", "json"]);
    const finding = passRole(JSON.parse(loaded.stdout) as Report);
    expect(finding).toMatchObject({ status: "skipped", details: { flag: "--principal" } });
    expect(finding?.message).toMatch(/earlier version of ecs-preflight.*the checker/);
    expect(finding?.remediation).not.toMatch(/auditor/);
    expect(loaded.code, loaded.stdout).toBe(0);
  });
});
