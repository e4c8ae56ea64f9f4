import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect } from "../../src/collect/index.ts";
import type { Facts } from "../../src/facts/types.ts";
import { evaluate } from "../../src/pipeline/evaluate.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { DEMO_NOW, demoAccount } from "./demo-account.ts";

/**
 * fixtures/demo/account.json is exactly what the real collector reads from the demo account (no hand edits), and
 * tells the story the README promises. `UPDATE_DEMO=1 npx vitest run test/demo` rewrites it.
 */
const FIXTURE = "fixtures/demo/account.json";
let fake: FakeAws;
let collected: Facts;

beforeAll(async () => {
  fake = await startFakeAws(demoAccount, { now: () => DEMO_NOW });
  Object.assign(process.env, fake.env());
  collected = await collect({
    scope: { clusters: [], services: [], tasks: [], roles: [] },
    aws: { region: "us-east-1", retryBackoffMs: () => 0 },
    now: DEMO_NOW,
  });
  if (process.env.UPDATE_DEMO === "1") writeFileSync(FIXTURE, `${JSON.stringify(collected, null, 2)}\n`);
});
afterAll(() => fake.close());

describe("the demo account", () => {
  it("is what the collector reads from the demo account", () => {
    expect(JSON.parse(readFileSync(FIXTURE, "utf8"))).toEqual(JSON.parse(JSON.stringify(collected)));
  });

  it("shows one of each problem", () => {
    const report = evaluate(collected, { source: "snapshot" });
    const statuses = (rule: string) =>
      report.findings
        .filter((f) => f.rule === rule)
        .map((f) => f.status)
        .sort();
    expect(statuses("role-exists")).toContain("fail"); // ecs-infra-legacy deleted
    expect(statuses("trust-policy")).toContain("fail"); // ecs-infra-reports trusts ecs-tasks
    expect(statuses("volume-permissions")).toContain("fail"); // ecs-infra-ledger denies DeleteVolume
    expect(statuses("managed-policy")).toContain("warn"); // ecs-infra-search holds it inline
    expect(statuses("tasks-deprovisioning").filter((s) => s === "fail")).toHaveLength(2);
    expect(statuses("cloudtrail-errors")).toContain("fail");
    expect(statuses("leaked-volumes")).toContain("warn");
    // Who deploys: the services' creators, never the read-only caller (platform-audit). shop-deployer may pass the
    // shop's roles; analytics-deployer may not pass ecs-infra-search; the roles no service names are not judged.
    expect(statuses("pass-role")).toEqual([
      "fail",
      "pass",
      "pass",
      "pass",
      "pass",
      "skipped",
      "skipped",
      "skipped",
    ]);
    const passRole = (name: string) =>
      report.findings.find((f) => f.rule === "pass-role" && f.resource.endsWith(`/${name}`));
    expect(passRole("ecs-infra-search")?.message).toMatch(
      /^role arn:aws:iam::111122223333:role\/ci\/analytics-deployer \(created search\) may not pass/,
    );
    expect(passRole("ecs-infra-search")?.remediation).toMatch(/--role-name analytics-deployer /);
    // The deployer created five services; the finding names those that name this role.
    expect(passRole("ecs-infra-orders")?.message).toMatch(
      /role\/ci\/shop-deployer \(created orders\) may pass/,
    );
    expect(passRole("ecs-infra-batch")).toMatchObject({
      status: "skipped",
      message: expect.stringMatching(/only standalone tasks.*--principal ARN/),
    });
    expect(JSON.stringify(report.findings.filter((f) => f.rule === "pass-role"))).not.toMatch(
      /platform-audit/,
    );
    // ecs-infra-archive: its own policies allow the volume actions, an SCP of the organization denies DeleteVolume.
    const archive = report.findings.find(
      (f) => f.rule === "volume-permissions" && f.resource.endsWith("/ecs-infra-archive"),
    );
    expect(archive?.status).toBe("fail");
    expect(archive?.message).toMatch(
      /^ecs-infra-archive: an Organizations policy \(SCP\) denies ec2:DeleteVolume/,
    );
    // Every use of a role is a dependent: the Managed Instances capacity provider and the Express service.
    const inUse = (name: string) =>
      report.findings.find((f) => f.rule === "role-in-use" && f.resource.endsWith(`/${name}`))?.message;
    expect(inUse("ecs-infra-compute")).toMatch(
      /in use by 1 Managed Instances capacity provider \(shop\/shop-compute\)/,
    );
    expect(inUse("ecs-infra-storefront")).toMatch(/in use by 1 Express service \(analytics\/storefront\)/);
    expect(report.verdict).toBe("fail");
    expect(report.exitCode).toBe(1);
    expect(report.trail).not.toEqual({});
  });
});
