import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.ts";
import { change, changeSet, detail, roleProps } from "../changes/cloudformation/change-sets.ts";
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

/**
 * End to end, a saved change set that must not pass: one of another Region (refused, or with --regions judged in
 * every Region read, its stack's deleted services only in its own), one missing Status or ExecutionStatus, and
 * one whose values come from a NoEcho parameter (****).
 */

const ROLE = roleArnOf("ecs-infra");
const FIXTURES = join(import.meta.dirname, "../changes/cloudformation/fixtures");
const dir = mkdtempSync(join(tmpdir(), "change-set-input-"));

function region(name: string): FakeAccount {
  return {
    accountId: ACCOUNT_ID,
    region: name,
    roles: [infrastructureRole({ name: "ecs-infra" })],
    managedPolicies: [awsManagedVolumesPolicy()],
    clusters: [
      {
        name: "prod",
        services: [ebsService({ name: "api", roleArn: ROLE })],
        tasks: [ebsTask({ id: `t-${name}`, roleArn: ROLE, service: "api", volumeId: `vol-${name}` })],
      },
    ],
  };
}

/** A fixture written to a file, its Regions moved and its fields changed. */
function saved(name: string, options: { region?: string; set?: Record<string, unknown> } = {}): string {
  let text = readFileSync(join(FIXTURES, `${name}.json`), "utf8");
  if (options.region) text = text.replaceAll(":us-east-1:", `:${options.region}:`);
  const file = join(
    dir,
    `${name}-${options.region ?? "home"}-${Object.keys(options.set ?? {}).join("-")}.json`,
  );
  writeFileSync(file, JSON.stringify({ ...JSON.parse(text), ...options.set }));
  return file;
}

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws(region("us-east-1"), {
    world: {
      accounts: [region("eu-west-1")],
      enabledRegions: { [ACCOUNT_ID]: ["us-east-1", "eu-west-1", "ap-southeast-2"] },
    },
  });
});
afterAll(() => fake.close());

async function check(...args: string[]) {
  Object.assign(process.env, fake.env());
  const before = fake.requests.length;
  const { code, stdout, stderr } = await runCli([
    "check",
    "--format",
    "json",
    "--log-level",
    "error",
    ...args,
  ]);
  expect(stderr).not.toMatch(/\n\s+at /);
  return {
    code,
    stderr,
    report: stdout ? (JSON.parse(stdout) as Report) : undefined,
    calls: fake.requests.slice(before),
  };
}
const planned = (report: Report | undefined) =>
  (report?.findings ?? []).filter((f) => f.rule === "planned-role-changes");

describe("a saved change set of another Region", () => {
  it("checked in one Region that is not its own: exit 2 in one line naming the file, both Regions and --region, before any AWS call", async () => {
    const file = saved("remove-service-and-role", { region: "eu-west-1" });
    const { code, stderr, calls } = await check("--plan", file, "--region", "us-east-1");
    expect(code).toBe(2);
    expect(calls).toEqual([]);
    expect(stderr.trim().split("\n")).toEqual([
      expect.stringMatching(
        new RegExp(
          `--plan ${file}: the change set is in eu-west-1, but the check reads us-east-1; run it with --region eu-west-1$`,
        ),
      ),
    ]);
  });

  it("with --regions naming its Region: judged in every Region (IAM is global), its stack's service only in its own", async () => {
    const file = saved("remove-service-and-role", { region: "eu-west-1" });
    const { code, report } = await check("--plan", file, "--regions", "us-east-1,eu-west-1");
    const byRegion = Object.fromEntries(planned(report).map((f) => [f.region, f]));
    expect(byRegion["eu-west-1"]).toMatchObject({ status: "fail", resource: ROLE });
    expect(byRegion["us-east-1"]).toMatchObject({ status: "fail", resource: ROLE });
    // Only eu-west-1's api is the stack's: the one of the same name in us-east-1 is not deleted by it.
    expect(byRegion["eu-west-1"]?.message).toMatch(/The same change set deletes prod-ecs\/ApiService/);
    expect(byRegion["us-east-1"]?.message).not.toMatch(/deletes prod-ecs\/ApiService/);
    expect(code).toBe(1);
  });

  it("with --regions not naming its Region: exit 2, saying to add it", async () => {
    const file = saved("remove-service-and-role", { region: "eu-west-1" });
    const { code, stderr } = await check("--plan", file, "--regions", "us-east-1,ap-southeast-2");
    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(
      /the change set is in eu-west-1, but the check reads us-east-1, ap-southeast-2; add eu-west-1 to --regions$/,
    );
  });

  it("with --snapshot of another Region: exit 2 naming the snapshot", async () => {
    Object.assign(process.env, fake.env());
    const snap = join(dir, "snap.json");
    expect(
      (await runCli(["snapshot", "--role", "ecs-infra", "--region", "us-east-1", "--out", snap])).code,
    ).toBe(0);
    const file = saved("detach-managed-policy", { region: "eu-west-1" });
    const { code, stderr } = await check("--plan", file, "--snapshot", snap);
    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(
      /the change set is in eu-west-1, but the snapshot .*snap\.json is of us-east-1; run it with --region eu-west-1/,
    );
  });
});

describe("a saved change set missing Status or ExecutionStatus is never a pass", () => {
  it.each([
    ["Status", { Status: undefined }, /has no Status, so whether it is complete/],
    ["ExecutionStatus", { ExecutionStatus: undefined }, /has no ExecutionStatus, so/],
  ])("no %s: planned-role-changes unknown, exit 3, naming the field", async (_, set, why) => {
    // A tags-only change set would pass whole: trimmed, it cannot.
    const { code, report } = await check("--plan", saved("tags-only", { set }));
    expect(planned(report)).toMatchObject([{ status: "unknown", message: expect.stringMatching(why) }]);
    expect(code).toBe(3);
  });
});

describe("a NoEcho parameter's value (****)", () => {
  it("a boundary set from it is unknown (exit 3), never a policy named ****", async () => {
    const file = join(dir, "no-echo.json");
    const modify = change({
      action: "Modify",
      logicalId: "InfraRole",
      physicalId: "ecs-infra",
      type: "AWS::IAM::Role",
      details: [detail("PermissionsBoundary")],
      before: roleProps(),
      after: roleProps({ PermissionsBoundary: "****" }),
    });
    writeFileSync(
      file,
      JSON.stringify(
        changeSet([modify], { Parameters: [{ ParameterKey: "Boundary", ParameterValue: "****" }] }),
      ),
    );
    const { code, report, calls } = await check("--plan", file);
    expect(planned(report)).toMatchObject([
      { status: "unknown", message: expect.stringMatching(/NoEcho parameter/) },
    ]);
    expect(calls.some((c) => c.action === "GetPolicy" && String(c.params.PolicyArn).includes("****"))).toBe(
      false,
    );
    expect(code).toBe(3);
  });
});
