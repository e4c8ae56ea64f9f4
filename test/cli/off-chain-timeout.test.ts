import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { runCli } from "../support/cli.ts";
import { HEALTHY_PAGE_SIZE, healthyAccount } from "../support/healthy-account.ts";

/**
 * The reads off ECS's chain (Organizations, CloudTrail, EC2) wait for ECS's first answer, but not for ever: when ECS
 * is slow to answer (held past --timeout here), the run still ends at the deadline, sends nothing once it has ended,
 * and what needs no ECS answer (a named role's CloudTrail sessions, whether SCPs apply) is still read and judged.
 */

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws(healthyAccount(), {
    pageSize: HEALTHY_PAGE_SIZE,
    faults: [{ service: "ecs", action: "ListClusters", kind: "slow", delayMs: 4000 }],
  });
});
afterAll(() => fake.close());

const named = (api: string) => fake.requests.filter((r) => `${r.service}:${r.action}` === api);

async function run(...args: string[]) {
  const before = fake.requests.length;
  const started = Date.now();
  const result = await runCli(["check", "--format", "json", "--timeout", "2s", ...args], {
    env: fake.env(),
    processEnv: fake.env(),
  });
  expect(Date.now() - started).toBeLessThan(3500);
  expect(result.code, result.stderr).toBe(3);
  const report = JSON.parse(result.stdout) as Report;
  expect(report.verdict).toBe("unknown");
  const n = fake.requests.length;
  await new Promise((r) => setTimeout(r, 300));
  expect(fake.requests.length, "requests after the run ended").toBe(n);
  return { report, sent: fake.requests.slice(before) };
}

describe("ECS's first answer held past --timeout", () => {
  it("ends the run unknown at the deadline, with nothing sent after it", async () => {
    await run();
  });

  it("--role with --before-role-change: the role's CloudTrail sessions and the SCP reads are not held back with ECS", async () => {
    const { report } = await run("--role", "api-role", "--before-role-change");
    expect(named("cloudtrail:LookupEvents").length).toBeGreaterThan(0);
    expect(named("organizations:DescribeOrganization").length).toBeGreaterThan(0);
    const trail = report.findings.filter((f) => f.rule === "cloudtrail-errors");
    expect(trail.length).toBeGreaterThan(0);
    for (const f of trail) expect(f.status, f.message).not.toBe("unknown");
  });
});
