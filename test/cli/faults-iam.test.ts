import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.ts";
import { ACCOUNT_ID, awsManagedVolumesPolicy, infrastructureRole } from "../fake-aws/builders.ts";
import type { FaultRule } from "../fake-aws/faults.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { runCli } from "../support/cli.ts";
import { expectHonestUnder } from "../support/fault-oracle.ts";

/** Faults on the IAM and STS query/XML protocols, through the CLI end to end. */

const ROLES = ["healthy", "wrong-trust", "deny-delete", "deleted"];
let fake: FakeAws;
let baseline: Report;

beforeAll(async () => {
  fake = await startFakeAws(
    {
      accountId: ACCOUNT_ID,
      roles: [
        infrastructureRole({
          name: "healthy",
          inline: {
            a: {
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: "*" }],
            },
          },
        }),
        infrastructureRole({
          name: "wrong-trust",
          trustPolicy: {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { Service: "ecs-tasks.amazonaws.com" },
                Action: "sts:AssumeRole",
              },
            ],
          },
        }),
        infrastructureRole({
          name: "deny-delete",
          inline: {
            d: {
              Version: "2012-10-17",
              Statement: [{ Effect: "Deny", Action: "ec2:DeleteVolume", Resource: "*" }],
            },
          },
        }),
      ],
      managedPolicies: [awsManagedVolumesPolicy()],
    },
    { pageSize: { iam: 1 } },
  );
  Object.assign(process.env, fake.env());
  const run = await runCli(["check", "--role", ROLES.join(","), "--format", "json"]);
  baseline = JSON.parse(run.stdout) as Report;
  expect(baseline.verdict).toBe("fail");
});
afterAll(() => fake.close());

async function faulted(faults: FaultRule[], ...extra: string[]) {
  fake.setFaults(faults);
  try {
    return await runCli(["check", "--role", ROLES.join(","), "--format", "json", ...extra]);
  } finally {
    fake.setFaults([]);
  }
}

describe("IAM and STS under faults", () => {
  it.each([
    ["iam", "throttle"],
    ["sts", "throttle"],
    ["iam", "http-500"],
    ["iam", "http-503"],
    ["iam", "reset"],
  ] as const)(
    "%s %s on every 3rd request: the SDK retries, same verdict and findings",
    async (service, kind) => {
      const before = fake.requests.length;
      const run = await faulted([{ service, kind, every: 3, oncePerCall: true }]);
      const report = expectHonestUnder(`${service} ${kind}`, run, baseline);
      expect(report.findings.map((f) => [f.rule, f.resource, f.status])).toEqual(
        baseline.findings.map((f) => [f.rule, f.resource, f.status]),
      );
      expect(fake.requests.slice(before).some((r) => r.status >= 400 || r.status === 0)).toBe(true); // the faults fired
    },
  );

  it.each([
    "access-denied",
    "throttle",
    "http-500",
    "http-503",
    "reset",
    "truncated",
    "not-xml-or-json",
  ] as const)(
    "%s on every GetPolicyVersion: the permission rules are unknown, never pass; exit 3 or 1",
    async (kind) => {
      const run = await faulted([{ service: "iam", action: "GetPolicyVersion", kind }]);
      const report = expectHonestUnder(kind, run, baseline);
      const vp = report.findings.filter((f) => f.rule === "volume-permissions");
      expect(vp.length).toBeGreaterThan(0);
      for (const f of vp) expect(f.status).toBe("unknown");
      expect(vp[0]?.details?.api).toBe("iam:GetPolicyVersion");
    },
  );

  it.each([
    "GetRole",
    "ListAttachedRolePolicies",
    "ListRolePolicies",
    "GetRolePolicy",
    "GetPolicy",
    "GetPolicyVersion",
  ])("AccessDenied on %s alone", async (action) => {
    const run = await faulted([{ service: "iam", action, kind: "access-denied" }]);
    const report = expectHonestUnder(`deny ${action}`, run, baseline);
    expect(report.findings.some((f) => f.status === "unknown" && f.details?.api === `iam:${action}`)).toBe(
      true,
    );
  });

  it("answers slower than --read-timeout are unknown, named as timeouts", async () => {
    const run = await faulted(
      [{ service: "iam", action: "GetRole", kind: "slow", delayMs: 1500 }],
      "--read-timeout",
      "1s",
      "--max-attempts",
      "1",
    );
    const report = expectHonestUnder("slow", run, baseline);
    const f = report.findings.find((x) => x.rule === "role-exists");
    expect(f?.status).toBe("unknown");
    expect(f?.message).toMatch(
      /iam:GetRole failed with (ETIMEDOUT|TimeoutError|RequestTimeout): .*requestTimeout/,
    );
    expect(run.code).toBe(3);
  });

  it("--timeout ends the run unknown (exit 3) and says what was not gathered", async () => {
    const started = Date.now();
    const run = await faulted([{ service: "iam", kind: "slow", delayMs: 5000 }], "--timeout", "1s");
    expect(Date.now() - started).toBeLessThan(4000);
    const report = expectHonestUnder("timeout", run, baseline);
    expect(run.code).toBe(3);
    expect(report.verdict).toBe("unknown");
    const unknown = report.findings.filter((f) => f.status === "unknown");
    expect(unknown.length).toBeGreaterThan(0);
    for (const f of unknown)
      expect(f.message).toMatch(/RunTimeout: --timeout 1s passed before this call finished/);
  });

  it("AWS_MAX_ATTEMPTS=1 turns a throttled call into unknown instead of a retry", async () => {
    const once: FaultRule[] = [{ service: "iam", action: "GetRole", kind: "throttle", times: 1 }];
    // Without the variable the one throttled GetRole is retried away.
    expect(expectHonestUnder("retried", await faulted(once), baseline).verdict).toBe(baseline.verdict);
    process.env.AWS_MAX_ATTEMPTS = "1";
    try {
      const before = fake.requests.length;
      const run = await faulted(once);
      const report = expectHonestUnder("no retries", run, baseline);
      const f = report.findings.find((x) => x.rule === "role-exists" && x.status === "unknown");
      expect(f?.message).toMatch(/iam:GetRole failed with Throttling/);
      const getRoles = fake.requests.slice(before).filter((r) => r.action === "GetRole");
      expect(getRoles.filter((r) => r.status === 400)).toHaveLength(1);
      expect(getRoles.every((r) => r.attempt === 1)).toBe(true);
    } finally {
      delete process.env.AWS_MAX_ATTEMPTS;
    }
  });

  it("the AWS config file's max_attempts = 1 is honoured as the AWS CLI does (below AWS_MAX_ATTEMPTS)", async () => {
    const once: FaultRule[] = [{ service: "iam", action: "GetRole", kind: "throttle", times: 1 }];
    const dir = mkdtempSync(join(tmpdir(), "aws-config-"));
    const config = join(dir, "config");
    writeFileSync(config, "[default]\nmax_attempts = 1\n");
    process.env.AWS_CONFIG_FILE = config;
    try {
      const report = expectHonestUnder("profile max_attempts 1", await faulted(once), baseline);
      expect(
        report.findings.find((x) => x.rule === "role-exists" && x.status === "unknown")?.message,
      ).toMatch(/iam:GetRole failed with Throttling/);
      // The variable wins over the file: with AWS_MAX_ATTEMPTS=3 the one throttle is retried away.
      process.env.AWS_MAX_ATTEMPTS = "3";
      expect(expectHonestUnder("variable over file", await faulted(once), baseline).verdict).toBe(
        baseline.verdict,
      );
    } finally {
      delete process.env.AWS_CONFIG_FILE;
      delete process.env.AWS_MAX_ATTEMPTS;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("AWS_RETRY_MODE=adaptive: the SDK's adaptive strategy rides out every 3rd request throttled too", async () => {
    process.env.AWS_RETRY_MODE = "adaptive";
    try {
      const run = await faulted([{ service: "iam", kind: "throttle", every: 3, maxPerCall: 2 }]);
      const report = expectHonestUnder("adaptive", run, baseline);
      expect(report.findings.map((f) => [f.rule, f.resource, f.status])).toEqual(
        baseline.findings.map((f) => [f.rule, f.resource, f.status]),
      );
      expect(report.aws?.throttled).toBeGreaterThan(0);
      expect(report.aws?.retries).toBe(report.aws?.throttled);
    } finally {
      delete process.env.AWS_RETRY_MODE;
    }
  });
});
