import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.ts";
import type { AwsService } from "../fake-aws/account.ts";
import type { FaultKind, FaultRule } from "../fake-aws/faults.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { runCli } from "../support/cli.ts";
import { expectHonestUnder } from "../support/fault-oracle.ts";
import { HEALTHY_PAGE_SIZE, healthyAccount } from "../support/healthy-account.ts";

/**
 * A healthy account checked with no scope flags (every cluster, every role they use, CloudTrail): the unfaulted
 * verdict is pass, so a fault that silently shrank the scope would show as exit 0 and fail these tests.
 */

let fake: FakeAws;
let baseline: Report;

/** Every read the tool makes, by service: each is denied alone below. */
const READS: [AwsService, string][] = [
  ["sts", "GetCallerIdentity"],
  ["ecs", "ListClusters"],
  ["ecs", "ListServices"],
  ["ecs", "DescribeServices"],
  ["ecs", "ListTasks"],
  ["ecs", "DescribeTasks"],
  ["ecs", "DescribeCapacityProviders"],
  ["ecs", "DescribeExpressGatewayService"],
  ["iam", "GetRole"],
  ["iam", "ListAttachedRolePolicies"],
  ["iam", "ListRolePolicies"],
  ["iam", "GetRolePolicy"],
  ["iam", "GetPolicy"],
  ["iam", "GetPolicyVersion"],
  ["cloudtrail", "LookupEvents"],
  ["ec2", "DescribeVolumes"],
];

beforeAll(async () => {
  fake = await startFakeAws(healthyAccount(), { pageSize: HEALTHY_PAGE_SIZE });
  Object.assign(process.env, fake.env());
  const run = await runCli(["check", "--format", "json"]);
  baseline = JSON.parse(run.stdout) as Report;
  expect(run.code, run.stdout).toBe(0);
  for (const rule of [
    "role-exists",
    "trust-policy",
    "volume-permissions",
    "tasks-deprovisioning",
    "cloudtrail-errors",
  ]) {
    expect(
      baseline.findings.some((f) => f.rule === rule && f.status === "pass"),
      rule,
    ).toBe(true);
  }
});
afterAll(() => fake.close());

async function faulted(faults: FaultRule[], ...extra: string[]) {
  fake.setFaults(faults);
  const before = fake.requests.length;
  try {
    const run = await runCli(["check", "--format", "json", ...extra]);
    return { run, requests: fake.requests.slice(before) };
  } finally {
    fake.setFaults([]);
  }
}

const outcome = (r: Report) => r.findings.map((f) => `${f.rule} ${f.resource} ${f.status}`).sort();

describe("every protocol under faults, through the CLI", () => {
  it.each<[AwsService, string, number]>([
    ["iam", "Throttling", 3],
    ["ecs", "ThrottlingException", 3],
    // Two LookupEvents pages a run (the pacer allows two a second without waiting): throttle the second.
    ["cloudtrail", "ThrottlingException", 2],
    // STS and EC2 are asked once a run here: throttle that one call.
    ["sts", "Throttling", 1],
    ["ec2", "RequestLimitExceeded", 1],
  ])(
    "%s throttled (%s) on every request number divisible by %i: same verdict and findings as without faults",
    async (service, _code, every) => {
      const { run, requests } = await faulted([{ service, kind: "throttle", every, oncePerCall: true }]);
      const report = expectHonestUnder(`${service} throttle`, run, baseline);
      expect(outcome(report)).toEqual(outcome(baseline));
      expect(run.code).toBe(0);
      expect(requests.filter((r) => r.service === service && r.status >= 400).length).toBeGreaterThan(0);
    },
  );

  it.each<[AwsService, FaultKind]>([
    ["ecs", "http-500"],
    ["ecs", "http-503"],
    ["ecs", "reset"],
    ["cloudtrail", "http-500"],
    ["cloudtrail", "reset"],
  ])("%s %s on every 3rd request is retried transparently", async (service, kind) => {
    const { run } = await faulted([{ service, kind, every: 3, oncePerCall: true }]);
    expect(outcome(expectHonestUnder(`${service} ${kind}`, run, baseline))).toEqual(outcome(baseline));
  });

  it.each(READS)(
    "%s:%s denied alone: unknown naming it, exit 3, never a smaller scope",
    async (service, action) => {
      const { run } = await faulted([{ service, action, kind: "access-denied" }]);
      const report = expectHonestUnder(`deny ${action}`, run, baseline);
      const api = `${service}:${action}`;
      if (api === "sts:GetCallerIdentity") {
        // Only the account id is lost; every check still has what it needs.
        expect(report.account).toBeNull();
        return;
      }
      const unknown = report.findings.filter((f) => f.status === "unknown");
      expect(unknown.map((f) => f.details?.api)).toContain(api);
      expect(unknown.find((f) => f.details?.api === api)?.details?.missingPermission).toBe(api);
      expect(run.code).toBe(3);
    },
  );

  it.each<[AwsService, string, FaultKind]>([
    ["ecs", "DescribeTasks", "truncated"],
    ["ecs", "ListTasks", "not-xml-or-json"],
    ["ecs", "DescribeServices", "http-503"],
    ["cloudtrail", "LookupEvents", "truncated"],
    ["cloudtrail", "LookupEvents", "not-xml-or-json"],
    ["iam", "GetRole", "not-xml-or-json"],
    ["sts", "GetCallerIdentity", "truncated"],
  ])("%s:%s answering %s every time: no crash, affected checks unknown", async (service, action, kind) => {
    const { run } = await faulted([{ service, action, kind }]);
    const report = expectHonestUnder(`${action} ${kind}`, run, baseline);
    if (service !== "sts") {
      expect(
        report.findings.some((f) => f.status === "unknown" && f.details?.api === `${service}:${action}`),
      ).toBe(true);
      expect(run.code).toBe(3);
    }
  });

  it("an ECS answer slower than --read-timeout is unknown, not a hang", async () => {
    const { run } = await faulted(
      [{ service: "ecs", action: "ListTasks", kind: "slow", delayMs: 1500 }],
      "--read-timeout",
      "1s",
      "--max-attempts",
      "1",
    );
    const report = expectHonestUnder("slow ecs", run, baseline);
    expect(report.findings.some((f) => f.status === "unknown" && f.details?.api === "ecs:ListTasks")).toBe(
      true,
    );
    expect(run.code).toBe(3);
  });
});

describe("a read denied that could hide a role of a use: that use's permission rule is unknown, naming it", () => {
  const USE_RULES = [
    "managed-instances-permissions",
    "express-permissions",
    "vpc-lattice-permissions",
    "load-balancer-permissions",
    "tls-permissions",
  ];
  it.each<[string, string[]]>([
    ["DescribeCapacityProviders", ["managed-instances-permissions"]],
    ["DescribeExpressGatewayService", ["express-permissions"]],
    // The services hide the Express services among them, and every service-level use.
    [
      "DescribeServices",
      ["express-permissions", "vpc-lattice-permissions", "load-balancer-permissions", "tls-permissions"],
    ],
    [
      "ListServices",
      ["express-permissions", "vpc-lattice-permissions", "load-balancer-permissions", "tls-permissions"],
    ],
    ["ListClusters", USE_RULES],
  ])("ecs:%s denied: unknown in %j (exit 3), the others silent on the gap", async (action, rules) => {
    const { run } = await faulted([{ service: "ecs", action, kind: "access-denied" }]);
    const report = expectHonestUnder(`deny ${action}`, run, baseline);
    expect(run.code).toBe(3);
    const api = `ecs:${action}`;
    for (const rule of USE_RULES) {
      const gaps = report.findings.filter((f) => f.rule === rule && f.details?.api === api);
      if (!rules.includes(rule)) {
        expect(gaps, rule).toEqual([]);
        continue;
      }
      expect(gaps.length, rule).toBe(1);
      expect(gaps[0]).toMatchObject({ status: "unknown", details: { missingPermission: api } });
      expect(gaps[0]?.message).toMatch(new RegExp(`Could not check .*: ${api} failed with AccessDenied`));
      expect(gaps[0]?.resource).toMatch(action === "ListClusters" ? /:cluster\/\*$/ : /:cluster\/prod$/);
    }
  });
});

describe("scope gaps cannot be configured away", () => {
  it("ListClusters denied with tasks-deprovisioning off is still unknown (exit 3), through ecs-scope", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const config = join(mkdtempSync(join(tmpdir(), "cfg-")), "c.json");
    writeFileSync(config, JSON.stringify({ rules: { "tasks-deprovisioning": "off" } }));
    const { run } = await faulted(
      [{ service: "ecs", action: "ListClusters", kind: "access-denied" }],
      "--config",
      config,
    );
    const report = expectHonestUnder("ListClusters denied, rule off", run, baseline);
    expect(report.findings.find((f) => f.rule === "ecs-scope")?.status).toBe("unknown");
    expect(run.code).toBe(3);
  });

  it("a config may not turn ecs-scope off", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const config = join(mkdtempSync(join(tmpdir(), "cfg-")), "c.json");
    writeFileSync(config, JSON.stringify({ rules: { "ecs-scope": "off" } }));
    const run = await runCli(["check", "--config", config]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/rules\.ecs-scope: expected "fail" only/);
  });

  it.each([
    [{ rules: { "role-exists": "off" } }, /rules\.role-exists: expected "fail" only/],
    [{ rules: { "role-exists": "warn" } }, /rules\.role-exists: expected "fail" only/],
    [
      { suppressions: [{ rule: "role-exists", resource: "*", reason: "stale" }] },
      /suppressions\[0\]\.rule: .*role-exists/,
    ],
  ])(
    "a config may not turn role-exists off, cap it or suppress it (%j): a deleted role would go unreported",
    async (body, message) => {
      const { mkdtempSync, writeFileSync } = await import("node:fs");
      const { join } = await import("node:path");
      const { tmpdir } = await import("node:os");
      const config = join(mkdtempSync(join(tmpdir(), "cfg-")), "c.json");
      writeFileSync(config, JSON.stringify(body));
      const run = await runCli(["check", "--config", config]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
    },
  );
});
