import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSnapshot } from "../../src/snapshot/index.ts";
import {
  ACCOUNT_ID,
  awsManagedVolumesPolicy,
  ebsService,
  ebsTask,
  infrastructureRole,
  REGION,
  roleArnOf,
} from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { runCli } from "../support/cli.ts";

/** End to end: `snapshot` collects what `check` would, config included (the CLI, the real SDK, the fake AWS). */

const ROLE = roleArnOf("api-role");
const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), "snapshot-cli-"));
const configFile = (name: string, config: unknown) => {
  const file = join(dir, `${name}.config.json`);
  writeFileSync(file, typeof config === "string" ? config : JSON.stringify(config));
  return file;
};
const BOTH_OFF = { rules: { "cloudtrail-errors": "off", "leaked-volumes": "off" } };

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws({
    accountId: ACCOUNT_ID,
    roles: [infrastructureRole({ name: "api-role" })],
    managedPolicies: [awsManagedVolumesPolicy()],
    clusters: [
      {
        name: "prod",
        services: [ebsService({ name: "api", roleArn: ROLE })],
        tasks: [ebsTask({ id: "api1", roleArn: ROLE, service: "api", volumeId: "vol-0api1" })],
      },
    ],
    volumes: [
      {
        volumeId: "vol-0api1",
        state: "in-use",
        tags: {
          AmazonECSManaged: "true",
          AmazonECSCreated: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task/prod/api1`,
        },
      },
    ],
  });
  Object.assign(process.env, fake.env());
});
afterAll(() => fake.close());

/** Runs the CLI; returns its result and the AWS calls it made, as "service:Action". */
async function run(...args: string[]) {
  const before = fake.requests.length;
  const result = await runCli(args);
  expect(result.stderr).not.toMatch(/\n\s+at [\w.<]/); // never a stack trace
  const requests = fake.requests.slice(before);
  return { ...result, requests, calls: requests.map((r) => `${r.service}:${r.action}`) };
}

describe("snapshot --config", () => {
  it("without a config collects CloudTrail and the ECS-managed volumes, as check does", async () => {
    const out = join(dir, "all.json");
    const { code, calls } = await run("snapshot", "--cluster", "prod", "--out", out);
    expect(code).toBe(0);
    expect(calls).toContain("cloudtrail:LookupEvents");
    expect(calls).toContain("ec2:DescribeVolumes");
    const facts = await readSnapshot(out);
    expect(facts.trail).toBeDefined();
    expect(facts.ec2).toBeDefined();
  });

  it("a config turning cloudtrail-errors and leaked-volumes off makes no LookupEvents and no DescribeVolumes", async () => {
    const out = join(dir, "off.json");
    const config = configFile("off", BOTH_OFF);
    const { code, calls } = await run("snapshot", "--cluster", "prod", "--config", config, "--out", out);
    expect(code).toBe(0);
    expect(calls).not.toContain("cloudtrail:LookupEvents");
    expect(calls).not.toContain("ec2:DescribeVolumes");
    expect(calls).toContain("ecs:DescribeTasks"); // the rest is still collected
    const facts = await readSnapshot(out);
    expect(facts.trail).toBeUndefined();
    expect(facts.ec2).toBeUndefined();
    // Replayed with the same config, nothing is unknown for want of the facts not collected.
    const replay = await run("check", "--snapshot", out, "--config", config, "--format", "json");
    expect(replay.calls).toEqual([]);
    const report = JSON.parse(replay.stdout) as { findings: { rule: string; status: string }[] };
    expect(report.findings.filter((f) => f.status === "unknown")).toEqual([]);
    expect(report.findings.map((f) => f.rule)).not.toContain("cloudtrail-errors");
  });

  it("makes the same AWS calls check makes with the same config", async () => {
    for (const config of [{}, BOTH_OFF, { rules: { "leaked-volumes": "off" } }]) {
      const file = configFile("same", config);
      const snap = await run(
        "snapshot",
        "--cluster",
        "prod",
        "--config",
        file,
        "--out",
        join(dir, "same.json"),
      );
      const live = await run("check", "--cluster", "prod", "--config", file, "--format", "json");
      expect(snap.code).toBe(0);
      expect(new Set(snap.calls), JSON.stringify(config)).toEqual(new Set(live.calls));
    }
  });

  it("takes the CloudTrail look-back from the config's since, and --since wins over it", async () => {
    const config = configFile("since", { since: "7d" });
    const lookupStart = async (...extra: string[]) => {
      const out = join(dir, "since-out.json");
      const { code, requests } = await run(
        "snapshot",
        "--role",
        "api-role",
        "--config",
        config,
        "--out",
        out,
        ...extra,
      );
      expect(code).toBe(0);
      const lookup = requests.find((r) => r.action === "LookupEvents");
      return { start: Number(lookup?.params.StartTime) * 1000, since: (await readSnapshot(out)).scope.since };
    };
    const fromConfig = await lookupStart();
    expect(fromConfig.since).toBe("604800s");
    expect(Math.abs(Date.now() - 7 * DAY - fromConfig.start)).toBeLessThan(60_000);
    const fromFlag = await lookupStart("--since", "2d");
    expect(fromFlag.since).toBe("172800s");
    expect(Math.abs(Date.now() - 2 * DAY - fromFlag.start)).toBeLessThan(60_000);
  });

  it.each([
    ["not JSON", "{", /bad\.config\.json: not valid JSON/],
    [
      "an unknown rule",
      { rules: { "no-such-rule": "off" } },
      /bad\.config\.json: rules\.no-such-rule: expected a rule id/,
    ],
    [
      "a bad since",
      { since: "a week" },
      /bad\.config\.json: since: expected a duration such as 15m, got "a week"/,
    ],
  ])("a config with %s exits 2 naming the file, before any AWS call", async (_name, config, message) => {
    const out = join(dir, "never.json");
    const { code, stdout, stderr, calls } = await run(
      "snapshot",
      "--role",
      "api-role",
      "--config",
      configFile("bad", config),
      "--out",
      out,
    );
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
    expect(calls).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });

  it("a config that cannot be read exits 2", async () => {
    const { code, stderr, calls } = await run(
      "snapshot",
      "--role",
      "api-role",
      "--config",
      join(dir, "missing.json"),
      "--out",
      join(dir, "never.json"),
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/missing\.json: cannot read config file \(ENOENT\)/);
    expect(calls).toEqual([]);
  });

  it("snapshot --help documents --config", async () => {
    const { code, stdout } = await runCli(["snapshot", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("--config <file>");
  });
});
