import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MAX_ATTEMPTS } from "../../src/collect/retry.ts";
import type { Report } from "../../src/report/types.ts";
import type { FaultRule } from "../fake-aws/faults.ts";
import { type FakeAws, type RecordedRequest, startFakeAws } from "../fake-aws/server.ts";
import { type RunOptions, runBundle, runCli } from "../support/cli.ts";
import { expectHonestUnder } from "../support/fault-oracle.ts";
import { HEALTHY_PAGE_SIZE, healthyAccount } from "../support/healthy-account.ts";

/**
 * Issue 15.4: a throttling storm on a healthy account. ListClusters is throttled on its first 3 attempts and every
 * 3rd request of every API besides, each call at most 4 times by that rule: at most 7 throttles a call, so the
 * production attempts (9) always get through, however the concurrent calls interleave (deterministic, never flaky),
 * and 3 attempts never do for ListClusters.
 */
const STORM: FaultRule[] = [
  { service: "ecs", action: "ListClusters", kind: "throttle", times: 3 },
  { kind: "throttle", every: 3, maxPerCall: 4 },
];

let fake: FakeAws;
let baseline: Report;

beforeAll(async () => {
  fake = await startFakeAws(healthyAccount(), { pageSize: HEALTHY_PAGE_SIZE });
  Object.assign(process.env, fake.env());
  const run = await runCli(["check", "--format", "json"]);
  expect(run.code, run.stdout).toBe(0);
  baseline = JSON.parse(run.stdout) as Report;
});
afterAll(() => fake.close());

const outcome = (r: Report) => r.findings.map((f) => `${f.rule} ${f.resource} ${f.status}`).sort();

async function stormed(faults: FaultRule[], args: string[] = [], options: RunOptions = {}) {
  fake.setFaults(faults);
  const before = fake.requests.length;
  try {
    const run = await runCli(["check", "--format", "json", ...args], options);
    const requests = fake.requests.slice(before);
    await nothingLeftRunning();
    return { run, requests };
  } finally {
    fake.setFaults([]);
  }
}

/**
 * No request arrives after the run has ended: a run that ends unknown early (no role found) still awaits the reads it
 * started (DescribeOrganization, asked at once), so none goes on retrying behind the report.
 */
async function nothingLeftRunning() {
  const n = fake.requests.length;
  await new Promise((r) => setTimeout(r, 150));
  expect(fake.requests.length, "requests after the run ended").toBe(n);
}

/**
 * The report's counts agree with what the fake saw: every request is a call or a retry, and every error answer a
 * throttle but DescribeOrganization's last (this account is in no organization: AWSOrganizationsNotInUseException).
 */
function expectCountsOf(report: Report, requests: RecordedRequest[]) {
  const aws = report.aws;
  expect(aws).toBeDefined();
  if (!aws) return;
  expect(aws.calls + aws.retries).toBe(requests.length);
  expect(aws.calls).toBe(requests.filter((r) => r.attempt === 1).length);
  const notInUse = requests.filter((r) => r.action === "DescribeOrganization" && r.attempt === 1).length;
  expect(aws.throttled).toBe(requests.filter((r) => r.status >= 400).length - notInUse);
}

describe("a throttling storm (issue 15.4)", () => {
  it("the unthrottled run counts its calls and no retry", () => {
    expect(baseline.aws?.calls).toBeGreaterThan(15);
    expect(baseline.aws).toMatchObject({ retries: 0, throttled: 0 });
  });

  it(`holds the unthrottled verdict and findings in 10 of 10 runs with ${DEFAULT_MAX_ATTEMPTS} attempts`, async () => {
    for (let i = 0; i < 10; i++) {
      const { run, requests } = await stormed(STORM);
      const report = expectHonestUnder(`storm ${i}`, run, baseline);
      expect(outcome(report), `run ${i}`).toEqual(outcome(baseline));
      expect(run.code).toBe(0);
      expect(report.verdict).toBe(baseline.verdict);
      // The storm hit every service the check reads, and was ridden out by retries.
      const retried = new Set(requests.filter((r) => (r.attempt ?? 1) > 1).map((r) => r.service));
      expect(retried.size, [...retried].join()).toBeGreaterThanOrEqual(3);
      expect(report.aws?.throttled).toBeGreaterThan(3);
      expect(report.aws?.retries).toBe(report.aws?.throttled);
      expectCountsOf(report, requests);
      expect(Math.max(...requests.map((r) => r.attempt ?? 1))).toBeLessThanOrEqual(8);
    }
  });

  it("with --max-attempts 3 the same storm is unknown (exit 3): the attempts are what ride it out", async () => {
    const { run, requests } = await stormed(STORM, ["--max-attempts", "3"]);
    const report = expectHonestUnder("storm, 3 attempts", run, baseline);
    expect(run.code).toBe(3);
    const scope = report.findings.find((f) => f.rule === "ecs-scope");
    expect(scope?.status).toBe("unknown");
    expect(scope?.message).toMatch(/ecs:ListClusters failed with ThrottlingException/);
    expect(requests.filter((r) => r.action === "ListClusters")).toHaveLength(3);
    // The counts are the report's own (a read left in flight may add requests after it: no exact match here).
    expect(report.aws?.throttled).toBeGreaterThanOrEqual(3);
    expect(report.aws?.retries).toBeGreaterThanOrEqual(2);
  });

  it("a call throttled on every attempt stays unknown, after exactly the attempts", async () => {
    const { run, requests } = await stormed([
      { service: "iam", action: "GetPolicyVersion", kind: "throttle" },
    ]);
    const report = expectHonestUnder("GetPolicyVersion throttled", run, baseline);
    expect(run.code).toBe(3);
    const unknown = report.findings.filter((f) => f.status === "unknown");
    expect(unknown.length).toBeGreaterThan(0);
    for (const f of unknown) expect(f.message).toMatch(/iam:GetPolicyVersion failed with Throttling/);
    const versions = requests.filter((r) => r.action === "GetPolicyVersion");
    const calls = versions.filter((r) => r.attempt === 1).length;
    expect(versions).toHaveLength(calls * DEFAULT_MAX_ATTEMPTS);
    expect(report.aws?.throttled).toBe(versions.length);
    expectCountsOf(report, requests);
  });

  it("a retry whose wait would end after --timeout is not made: unknown at once, saying why", async () => {
    const started = Date.now();
    const { run, requests } = await stormed(
      [{ service: "ecs", action: "ListClusters", kind: "throttle" }],
      ["--timeout", "3s"],
      { retryBackoffMs: () => 10_000 },
    );
    const elapsed = Date.now() - started;
    const report = expectHonestUnder("wait past --timeout", run, baseline);
    expect(run.code).toBe(3);
    const scope = report.findings.find((f) => f.rule === "ecs-scope");
    expect(scope?.status).toBe("unknown");
    expect(scope?.message).toMatch(
      /ecs:ListClusters failed with ThrottlingException: .*\(not retried: a wait of 10000 ms would end after the run's --timeout\)/,
    );
    // One attempt, no wait: well inside the 3 s, let alone the 10 s wait.
    expect(requests.filter((r) => r.action === "ListClusters")).toHaveLength(1);
    expect(elapsed).toBeLessThan(3000);
    expect(report.aws?.retries).toBe(0);
  });

  it("the bundled CLI, with its real jittered back-off, holds the verdict inside --timeout", async () => {
    fake.setFaults(STORM);
    const before = fake.requests.length;
    try {
      const started = Date.now();
      const run = await runBundle(
        ["check", "--format", "json", "--timeout", "20s", "--log-level", "silent"],
        fake.env(),
      );
      const report = expectHonestUnder("storm, bundle", run, baseline);
      expect(outcome(report)).toEqual(outcome(baseline));
      expect(run.code).toBe(0);
      expect(Date.now() - started).toBeLessThan(20_000);
      expectCountsOf(report, fake.requests.slice(before));
      expect(report.aws?.retries).toBeGreaterThan(0);
    } finally {
      fake.setFaults([]);
    }
  });
});
