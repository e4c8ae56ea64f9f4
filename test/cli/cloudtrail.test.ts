import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import reportSchema from "../../schema/report.schema.json" with { type: "json" };
import type { Report } from "../../src/report/types.ts";
import {
  ACCOUNT_ID,
  awsManagedVolumesPolicy,
  infrastructureRole,
  roleArnOf,
  trailEvent,
} from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { runCli } from "../support/cli.ts";

/** End to end: the CLI, the real SDK, the fake CloudTrail; events placed relative to the real clock the CLI uses. */

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString().replace(/\.\d+Z$/, "Z");
const FAILED_AT = hoursAgo(2);
const DETACHED_AT = hoursAgo(3);
const BROKEN = roleArnOf("broken");
const HEALTHY = roleArnOf("healthy");

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws({
    accountId: ACCOUNT_ID,
    roles: [infrastructureRole({ name: "healthy" }), infrastructureRole({ name: "broken" })],
    managedPolicies: [awsManagedVolumesPolicy()],
    trailEvents: [
      trailEvent({
        eventName: "CreateVolume",
        eventTime: hoursAgo(1),
        roleArn: HEALTHY,
        volumeId: "vol-0healthy",
      }),
      // The role's policies look right (an SCP or KMS key policy could still refuse): CloudTrail shows what happened.
      trailEvent({
        eventName: "DeleteVolume",
        eventTime: FAILED_AT,
        roleArn: BROKEN,
        volumeId: "vol-0recent",
        errorCode: "Client.UnauthorizedOperation",
      }),
      trailEvent({
        eventName: "DetachVolume",
        eventTime: DETACHED_AT,
        roleArn: BROKEN,
        volumeId: "vol-0recent",
      }),
      trailEvent({
        eventName: "DeleteVolume",
        eventTime: hoursAgo(72),
        roleArn: BROKEN,
        volumeId: "vol-0old",
        errorCode: "Client.UnauthorizedOperation",
      }),
      trailEvent({
        eventName: "DeleteVolume",
        eventTime: hoursAgo(1),
        roleArn: roleArnOf("notInScope"),
        volumeId: "vol-0other",
        errorCode: "AccessDenied",
      }),
      trailEvent({
        eventName: "DeleteVolume",
        eventTime: hoursAgo(1),
        roleArn: HEALTHY,
        sessionName: "aws-cli-session",
        errorCode: "AccessDenied",
      }),
    ],
  });
  Object.assign(process.env, fake.env());
});
afterAll(() => fake.close());

const lookupsSince = (before: number) =>
  fake.requests.slice(before).filter((r) => r.action === "LookupEvents").length;

async function checkJson(...args: string[]): Promise<{ code: number; report: Report }> {
  const { code, stdout, stderr } = await runCli(["check", "--format", "json", ...args]);
  expect(stderr).not.toMatch(/\n\s+at /);
  return { code, report: JSON.parse(stdout) as Report };
}
const trailFinding = (report: Report, arn: string) =>
  report.findings.find((f) => f.rule === "cloudtrail-errors" && f.resource === arn);

describe("check with CloudTrail evidence", () => {
  it("fails a role whose session was refused DeleteVolume, though its policies pass; the JSON trail validates", async () => {
    const { code, report } = await checkJson("--role", "broken");
    const finding = trailFinding(report, BROKEN);
    expect(finding?.status).toBe("fail");
    expect(finding?.message).toMatch(
      /DeleteVolume denied 1× \(Client\.UnauthorizedOperation\) on vol-0recent/,
    );
    expect(finding?.message).not.toMatch(/vol-0old|vol-0other/);
    expect(report.findings.find((f) => f.rule === "volume-permissions")?.status).toBe("pass");
    expect(finding?.remediation).toMatch(
      /broken's own policies allow ec2:DeleteVolume, yet the calls were refused/,
    );
    expect(code).toBe(1);
    expect(report.trail).toEqual({
      ECSTaskVolumesForEBS: [
        {
          roleArn: BROKEN,
          counts: { DeleteVolume: { "Client.UnauthorizedOperation": 1 }, DetachVolume: { success: 1 } },
          lastSuccess: DETACHED_AT,
          lastFailure: FAILED_AT,
        },
      ],
    });
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(reportSchema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  });

  it("--since widens the window (the 3-day-old failure) and narrows it (1h: nothing failed)", async () => {
    const wide = await checkJson("--role", "broken", "--since", "7d");
    expect(trailFinding(wide.report, BROKEN)?.details?.volumes).toEqual(["vol-0old", "vol-0recent"]);
    const narrow = await checkJson("--role", "broken", "--since", "1h");
    expect(trailFinding(narrow.report, BROKEN)?.status).toBe("pass");
    expect(trailFinding(narrow.report, BROKEN)?.message).toMatch(/no calls in the window \(the last 1h\)/);
    expect(narrow.code).toBe(0);
  });

  it("text: the verdict, then the trail table readable at a glance", async () => {
    const { code, stdout } = await runCli(["check", "--role", "healthy,broken", "--no-color"]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAIL {4}cloudtrail-errors {2}arn:aws:iam::111122223333:role\/broken/);
    expect(stdout).toMatch(
      /✓ cloudtrail-errors +healthy: 1 call by its ECSTaskVolumesForEBS sessions in the last 1d, none failed\./,
    );
    expect(stdout).toContain(
      [
        "CloudTrail: ECSTaskVolumesForEBS sessions",
        `  healthy  ${HEALTHY}`,
        "    Action            OK  Failed",
        "    CreateVolume       1       -",
      ].join("\n"),
    );
    expect(stdout).toContain(
      [
        `  broken  ${BROKEN}`,
        "    Action            OK  Failed",
        "    DeleteVolume       -       1  Client.UnauthorizedOperation ×1",
        "    DetachVolume       1       -",
      ].join("\n"),
    );
  });

  it("a denied LookupEvents makes the rule unknown, naming the permission, and exits 3", async () => {
    fake.setFaults([{ service: "cloudtrail", action: "LookupEvents", kind: "access-denied" }]);
    try {
      const { code, report } = await checkJson("--role", "healthy");
      const finding = trailFinding(report, HEALTHY);
      expect(finding?.status).toBe("unknown");
      expect(finding?.message).toMatch(/cloudtrail:LookupEvents failed with AccessDeniedException/);
      expect(finding?.details?.missingPermission).toBe("cloudtrail:LookupEvents");
      expect(report.trail).toEqual({});
      expect(report.verdict).toBe("unknown");
      expect(code).toBe(3);
    } finally {
      fake.setFaults([]);
    }
  });

  it("with cloudtrail-errors off in the config, CloudTrail is not called", async () => {
    const config = join(mkdtempSync(join(tmpdir(), "cfg-")), "config.json");
    writeFileSync(config, JSON.stringify({ rules: { "cloudtrail-errors": "off" } }));
    const before = fake.requests.length;
    const { code, report } = await checkJson("--role", "broken", "--config", config);
    expect(lookupsSince(before)).toBe(0);
    expect(report.findings.some((f) => f.rule === "cloudtrail-errors")).toBe(false);
    expect(code).toBe(0);
  });
});

describe("--since is checked before any AWS call", () => {
  it.each([
    [["--since", "91d"], /^error: option '--since <duration>' argument '91d' is invalid\. at most 90d/],
    [["--since", "5x"], /^error: option '--since <duration>' argument '5x' is invalid\. expected a duration/],
  ])("%j exits 2 with one clear line", async (flags, message) => {
    const before = fake.requests.length;
    const { code, stdout, stderr } = await runCli(["check", "--role", "healthy", ...flags]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stdout).toBe("");
    expect(fake.requests.length).toBe(before);
  });

  it("a config file's since of more than 90 days is an input error too", async () => {
    const config = join(mkdtempSync(join(tmpdir(), "cfg-")), "config.json");
    writeFileSync(config, JSON.stringify({ since: "100d" }));
    const before = fake.requests.length;
    const { code, stderr } = await runCli(["check", "--role", "healthy", "--config", config]);
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/since: at most 90d \(CloudTrail event history keeps 90 days\)/),
    ]);
    expect(fake.requests.length).toBe(before);
  });
});
