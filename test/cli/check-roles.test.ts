import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.ts";
import type { FakeAccount } from "../fake-aws/account.ts";
import { ACCOUNT_ID, awsManagedVolumesPolicy, infrastructureRole, roleArnOf } from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { runBundle, runCli } from "../support/cli.ts";

/** End to end: the CLI, the real SDK clients, the fake AWS over HTTP; one role per situation in issue 2. */

const CUSTOMER = `arn:aws:iam::${ACCOUNT_ID}:policy/ebs-for-ecs`;
const BOUNDARY = `arn:aws:iam::${ACCOUNT_ID}:policy/ecs-boundary`;
const allow = (Action: unknown, extra: Record<string, unknown> = {}) => ({
  Effect: "Allow",
  Action,
  Resource: "*",
  ...extra,
});
const doc = (...Statement: object[]) => ({ Version: "2012-10-17", Statement });

const account: FakeAccount = {
  accountId: ACCOUNT_ID,
  roles: [
    infrastructureRole({
      name: "healthy",
      inline: {
        extra1: doc(allow("s3:GetObject")),
        extra2: doc(allow("s3:PutObject")),
        extra3: doc(allow("logs:*")),
      },
    }),
    infrastructureRole({
      name: "tasks-trust",
      trustPolicy: doc({
        Effect: "Allow",
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Action: "sts:AssumeRole",
      }),
    }),
    infrastructureRole({
      name: "object-statement",
      trustPolicy: {
        Version: "2012-10-17",
        Statement: {
          Effect: "Allow",
          Principal: { Service: ["ecs-tasks.amazonaws.com", "ecs.amazonaws.com"] },
          Action: "sts:AssumeRole",
        },
      },
    }),
    infrastructureRole({
      name: "trust-deny",
      trustPolicy: doc(
        { Effect: "Allow", Principal: { Service: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" },
        {
          Sid: "NoEcs",
          Effect: "Deny",
          Principal: { Service: "ecs.amazonaws.com" },
          Action: "sts:AssumeRole",
        },
      ),
    }),
    infrastructureRole({
      name: "inline-only",
      attached: [],
      inline: { ebs: doc(allow(["ec2:DetachVolume", "ec2:deleteVolume", "ec2:DescribeVolumes"])) },
    }),
    infrastructureRole({ name: "star-volume", attached: [], inline: { ebs: doc(allow("ec2:*Volume*")) } }),
    infrastructureRole({ name: "ec2-star", attached: [], inline: { ebs: doc(allow("ec2:*")) } }),
    infrastructureRole({
      name: "not-action",
      attached: [],
      inline: { ebs: doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) },
    }),
    infrastructureRole({
      name: "inline-deny",
      inline: {
        keep: doc({ Sid: "KeepVolumes", Effect: "Deny", Action: "ec2:DeleteVolume", Resource: "*" }),
      },
    }),
    infrastructureRole({ name: "bounded", boundaryArn: BOUNDARY }),
    infrastructureRole({ name: "old-version", attached: [CUSTOMER] }),
  ],
  managedPolicies: [
    awsManagedVolumesPolicy(),
    {
      arn: BOUNDARY,
      defaultVersionId: "v1",
      versions: { v1: doc(allow(["ec2:DeleteVolume", "ec2:DescribeVolumes", "ec2:CreateVolume"])) },
    },
    {
      arn: CUSTOMER,
      defaultVersionId: "v2",
      versions: {
        v1: doc(allow(["ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes"])),
        v2: doc(allow(["ec2:DetachVolume", "ec2:DescribeVolumes"])),
      },
    },
  ],
};

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws(account, { pageSize: { iam: 2 } });
  Object.assign(process.env, fake.env());
});
afterAll(() => fake.close());

async function checkJson(...args: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  const { code, stdout, stderr } = await runCli(["check", "--format", "json", ...args]);
  expect(stderr).not.toMatch(/\n\s+at /); // never a stack trace
  return { code, report: JSON.parse(stdout) as Report, stderr };
}

const statusOf = (report: Report, rule: string, role: string) =>
  report.findings.find((f) => f.rule === rule && f.resource === roleArnOf(role))?.status;

describe("check --role against the fake AWS", () => {
  it.each([
    [
      "healthy",
      {
        "role-exists": "pass",
        "trust-policy": "pass",
        "volume-permissions": "pass",
        "managed-policy": "pass",
      },
      0,
    ],
    ["tasks-trust", { "trust-policy": "fail", "volume-permissions": "pass" }, 1],
    ["object-statement", { "trust-policy": "pass" }, 0],
    ["trust-deny", { "trust-policy": "fail" }, 1],
    ["inline-only", { "volume-permissions": "pass", "managed-policy": "warn" }, 0],
    ["star-volume", { "volume-permissions": "pass", "managed-policy": "warn" }, 0],
    ["ec2-star", { "volume-permissions": "pass" }, 0],
    ["not-action", { "volume-permissions": "pass" }, 0],
    ["inline-deny", { "volume-permissions": "fail", "managed-policy": "pass" }, 1],
    ["bounded", { "volume-permissions": "fail" }, 1],
    ["old-version", { "volume-permissions": "fail", "managed-policy": "warn" }, 1],
  ] as const)("role %s", async (role, expected, exitCode) => {
    const { code, report } = await checkJson("--role", role);
    for (const [rule, status] of Object.entries(expected))
      expect(statusOf(report, rule, role), rule).toBe(status);
    expect(code).toBe(exitCode);
    expect(report.exitCode).toBe(exitCode);
    expect(report.account).toBe(ACCOUNT_ID);
  });

  it("a missing role fails role-exists and nothing else", async () => {
    const { code, report } = await checkJson("--role", "deleted-role");
    expect(report.findings.map((f) => [f.rule, f.status])).toEqual([["role-exists", "fail"]]);
    expect(code).toBe(1);
  });

  it("names the statement that denies, and --fail-on warn blocks warnings", async () => {
    const denied = await checkJson("--role", "inline-deny");
    const f = denied.report.findings.find((x) => x.rule === "volume-permissions");
    expect(f?.message).toMatch(/ec2:DeleteVolume denied by inline policy "keep" Sid "KeepVolumes"/);
    const warned = await checkJson("--role", "inline-only", "--fail-on", "warn");
    expect(warned.code).toBe(1);
  });

  it("follows IAM's pagination (two items a page) and fetches each managed policy once", async () => {
    const before = fake.requests.length;
    const { report } = await checkJson("--role", "healthy,inline-deny,tasks-trust");
    const calls = fake.requests.slice(before);
    const count = (action: string) => calls.filter((r) => r.action === action).length;
    expect(count("ListRolePolicies")).toBe(2 + 1 + 1); // healthy has 3 inline policies: two pages
    expect(count("GetRolePolicy")).toBe(4);
    expect(count("GetPolicy")).toBe(1); // the managed policy three roles share
    expect(count("GetPolicyVersion")).toBe(1);
    expect(calls.find((r) => r.action === "GetPolicyVersion")?.params.VersionId).toBe("v5");
    expect(statusOf(report, "volume-permissions", "healthy")).toBe("pass");
  });

  describe("AccessDenied on each of the tool's own IAM/STS calls", () => {
    it.each([
      ["iam", "GetRole", ["role-exists", "trust-policy", "volume-permissions"]],
      ["iam", "ListAttachedRolePolicies", ["volume-permissions", "managed-policy"]],
      ["iam", "ListRolePolicies", ["volume-permissions"]],
      ["iam", "GetRolePolicy", ["volume-permissions"]],
      ["iam", "GetPolicy", ["volume-permissions"]],
      ["iam", "GetPolicyVersion", ["volume-permissions"]],
    ] as const)("%s:%s makes %j unknown and exits 3", async (service, action, rulesUnknown) => {
      fake.setFaults([{ service, action, kind: "access-denied" }]);
      try {
        const { code, report } = await checkJson("--role", "healthy");
        for (const rule of rulesUnknown) {
          const f = report.findings.find((x) => x.rule === rule);
          expect(f?.status, rule).toBe("unknown");
          expect(f?.message).toContain(`iam:${action}`);
          expect(f?.details?.missingPermission).toBe(`iam:${action}`);
        }
        expect(
          report.findings.some((f) => f.status === "pass" && rulesUnknown.includes(f.rule as never)),
        ).toBe(false);
        expect(report.verdict).toBe("unknown");
        expect(code).toBe(3);
      } finally {
        fake.setFaults([]);
      }
    });

    it("sts:GetCallerIdentity denied leaves the account null but the role checks stand", async () => {
      fake.setFaults([{ service: "sts", action: "GetCallerIdentity", kind: "access-denied" }]);
      try {
        const { code, report } = await checkJson("--role", "healthy");
        expect(report.account).toBeNull();
        expect(statusOf(report, "volume-permissions", "healthy")).toBe("pass");
        // The caller is not who deploys: with --role only nobody is known, so pass-role is not judged.
        expect(statusOf(report, "pass-role", "healthy")).toBe("skipped");
        expect(code).toBe(0);
        // Naming the deploying principal needs no caller identity.
        const named = await checkJson(
          "--role",
          "healthy",
          "--principal",
          "arn:aws:iam::111122223333:user/preflight",
        );
        expect(statusOf(named.report, "pass-role", "healthy")).toBe("pass");
        expect(named.code).toBe(0);
        // A report named by its <account> cannot be written: it is lost, so the run cannot pass (nor is it a usage error).
        const lost = await runCli([
          ...["check", "--role", "healthy", "--principal", "arn:aws:iam::111122223333:user/preflight"],
          ...["--format", "json", "--output", join(tmpdir(), "<account>-<region>.json")],
        ]);
        expect(lost.code).toBe(3);
        expect(lost.stderr).toContain("<account> is unknown: the run could not learn its account");
        expect(lost.stderr).not.toContain("spans several");
      } finally {
        fake.setFaults([]);
      }
    });
  });

  it("the bundled binary gives the same verdict and exit code as a real process", async () => {
    const run = await runBundle(["check", "--role", "tasks-trust", "--format", "json"], fake.env());
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).verdict).toBe("fail");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("snapshot then check --snapshot reproduces the live verdict", async () => {
    const { mkdtempSync, statSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "snap-")), "facts.json");
    const snap = await runCli(["snapshot", "--role", "healthy,tasks-trust,deleted-role", "--out", file]);
    expect(snap.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const live = await checkJson("--role", "healthy,tasks-trust,deleted-role");
    const replay = await checkJson("--snapshot", file);
    expect(replay.report.findings).toEqual(live.report.findings);
    expect(replay.code).toBe(live.code);
  });
});

describe("a role ARN of another account", () => {
  it("is never merged with the caller's role of the same name, whichever comes first", async () => {
    const other = "arn:aws:iam::999999999999:role/healthy";
    for (const roles of [`healthy,${other}`, `${other},healthy`]) {
      const { code, report } = await checkJson("--role", roles);
      expect(
        report.findings.find((f) => f.rule === "role-exists" && f.resource === roleArnOf("healthy"))?.status,
      ).toBe("pass");
      expect(report.findings.find((f) => f.rule === "role-exists" && f.resource === other)?.status).toBe(
        "unknown",
      );
      expect(code).toBe(3);
    }
  });

  it("is not checked as the caller's role of the same name: every check is unknown, naming why", async () => {
    const other = "arn:aws:iam::999999999999:role/healthy";
    const before = fake.requests.length;
    const { code, report } = await checkJson("--role", other);
    expect(code).toBe(3);
    const findings = report.findings.filter((f) => f.resource === other);
    expect(findings.map((f) => f.rule).sort()).toEqual(
      [
        "cloudtrail-errors",
        "role-exists",
        "trust-policy",
        "volume-permissions",
        "managed-policy",
        "pass-role",
      ].sort(),
    );
    for (const f of findings) expect(f.status, f.rule).toBe("unknown");
    expect(findings[0]?.message).toMatch(
      /in account 999999999999, but the credentials are for account 111122223333/,
    );
    expect(fake.requests.slice(before).filter((r) => r.action === "GetRole")).toEqual([]);
  });
});
