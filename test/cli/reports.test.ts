import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EMF_METRICS } from "../../src/report/emf.ts";
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
import { runCli } from "../support/cli.ts";

/** `--report FORMAT=FILE` and `--emf`, end to end against the fake AWS: several reports from one set of calls. */

const ROLE = roleArnOf("api-role");
let fake: FakeAws;
let dir: string;

beforeAll(async () => {
  fake = await startFakeAws({
    accountId: ACCOUNT_ID,
    roles: [
      // Trusts the wrong service: the check fails, so every format has something to say.
      infrastructureRole({
        name: "api-role",
        trustPolicy: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        },
      }),
    ],
    managedPolicies: [awsManagedVolumesPolicy()],
    clusters: [
      {
        name: "prod",
        services: [ebsService({ name: "api", roleArn: ROLE })],
        tasks: [ebsTask({ id: "api1", roleArn: ROLE, service: "api", volumeId: "vol-0api1" })],
      },
    ],
  });
  Object.assign(process.env, fake.env());
});
afterAll(() => fake.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "reports-"));
  return () => rmSync(dir, { recursive: true, force: true });
});

async function run(...args: string[]) {
  const before = fake.requests.length;
  const result = await runCli(["check", "--cluster", "prod", "--log-level", "silent", ...args]);
  return { ...result, calls: fake.requests.slice(before).map((r) => `${r.service}:${r.action}`) };
}

describe("--report FORMAT=FILE", () => {
  it("writes JSON on stdout and SARIF, JUnit and Markdown files from the calls of one plain check", async () => {
    const plain = await run("--format", "json");
    const f = (name: string) => join(dir, name);
    const all = await run(
      "--format",
      "json",
      "--report",
      `sarif=${f("x.sarif")}`,
      "--report",
      `junit=${f("x.xml")}`,
      "--report",
      `markdown=${f("x.md")}`,
    );
    expect(all.code).toBe(1);
    expect(all.calls.sort()).toEqual(plain.calls.sort());
    expect(all.calls.length).toBeGreaterThan(5);
    const report = JSON.parse(all.stdout) as Report;
    expect(report.verdict).toBe("fail");
    const fails = report.findings.filter((x) => x.status === "fail");
    const sarif = JSON.parse(readFileSync(f("x.sarif"), "utf8"));
    expect(sarif.runs[0].results.filter((r: { level: string }) => r.level === "error")).toHaveLength(
      fails.length,
    );
    expect(readFileSync(f("x.xml"), "utf8").match(/<failure /g)).toHaveLength(fails.length);
    expect(readFileSync(f("x.md"), "utf8")).toMatch(/^## ❌ ecs-preflight: FAIL/);
  });

  it("writes the --output file and the --report files alike", async () => {
    const out = join(dir, "r.json");
    const md = join(dir, "r.md");
    const res = await run("--format", "json", "--output", out, "--report", `markdown=${md}`);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(JSON.parse(readFileSync(out, "utf8")).verdict).toBe("fail");
    expect(readFileSync(md, "utf8")).toContain("trust-policy");
  });

  it.each([["yaml=x.yml"], ["sarif"], ["sarif="], ["=x.sarif"]])(
    "refuses --report %s as a usage error (exit 2) before any AWS call",
    async (value) => {
      const res = await run("--report", value);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/expected FORMAT=FILE/);
      expect(res.calls).toEqual([]);
    },
  );

  it("refuses two reports to one file before any AWS call", async () => {
    const file = join(dir, "same");
    const res = await run("--output", file, "--report", `sarif=${file}`);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--report sarif=.*same: the same file as --output/);
    expect(res.calls).toEqual([]);
  });

  it("refuses two reports whose names differ only in the placeholder's spelling (<account> and {account})", async () => {
    const res = await run(
      "--output",
      join(dir, "r-<account>-<region>.txt"),
      "--report",
      `sarif=${join(dir, "r-{account}-{region}.txt")}`,
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/the same file as --output/);
    expect(res.calls).toEqual([]);
  });

  it("names a file it cannot write (exit 2) and still writes the others and stdout", async () => {
    // A file where a folder should be: unwritable even for root (tests may run as root, where modes do not stop it).
    const locked = join(dir, "locked");
    writeFileSync(locked, "");
    const good = join(dir, "good.xml");
    const missing = join(dir, "no", "such", "dir.md");
    const res = await run(
      "--format",
      "json",
      "--report",
      `sarif=${join(locked, "x.sarif")}`,
      "--report",
      `junit=${good}`,
      "--report",
      `markdown=${missing}`,
    );
    expect(res.code).toBe(2);
    const lines = res.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^ecs-preflight: error: --report sarif=.*locked\/x\.sarif: cannot write the report \(ENOTDIR\); --report markdown=.*dir\.md: cannot write the report \(ENOENT\)$/,
    );
    expect(readFileSync(good, "utf8")).toMatch(/<testsuites /);
    expect(JSON.parse(res.stdout).verdict).toBe("fail");
    expect(existsSync(missing)).toBe(false);
  });
});

describe("stop --report", () => {
  it("writes the check's reports before refusing to stop an unsafe task (no StopTask)", async () => {
    const md = join(dir, "stop.md");
    const before = fake.requests.length;
    const res = await runCli([
      "stop",
      "--cluster",
      "prod",
      "--task",
      "api1",
      "--yes",
      "--log-level",
      "silent",
      "--report",
      `markdown=${md}`,
    ]);
    expect(res.code).toBe(1);
    expect(readFileSync(md, "utf8")).toMatch(/^## ❌ ecs-preflight: FAIL/);
    expect(fake.requests.slice(before).some((r) => r.action === "StopTask")).toBe(false);
  });
});

describe("--emf", () => {
  it("writes one EMF line to stderr, and stdout stays the JSON report", async () => {
    const res = await runCli([
      "check",
      "--cluster",
      "prod",
      "--format",
      "json",
      "--emf",
      "--log-level",
      "info",
    ]);
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout) as Report;
    const emf = res.stderr
      .split("\n")
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l));
    expect(emf).toHaveLength(1);
    const [line] = emf;
    expect(line._aws.CloudWatchMetrics).toEqual([
      { Namespace: "ECSPreflight", Dimensions: [["Account", "Region"]], Metrics: EMF_METRICS },
    ]);
    expect(line.Account).toBe(ACCOUNT_ID);
    expect(line.Region).toBe(report.region);
    expect(line._aws.Timestamp).toBe(Date.parse(report.startedAt));
    expect(line.FindingsFail).toBe(report.summary.fail);
    expect(line.FindingsPass).toBe(report.summary.pass);
    expect(line.DurationMs).toBe(report.durationMs);
    // pino's lines are on stderr too: the EMF line is one line among them, each a JSON object of its own.
    expect(res.stderr.split("\n").filter((l) => l.includes('"msg"')).length).toBeGreaterThan(0);
  });

  it("keeps the real account in the EMF line with --redact (the report is redacted)", async () => {
    const res = await runCli([
      "check",
      "--cluster",
      "prod",
      "--format",
      "json",
      "--emf",
      "--redact",
      "--log-level",
      "silent",
    ]);
    expect(JSON.parse(res.stdout).account).toBe("************");
    const [line] = res.stderr.split("\n").filter((l) => l.includes('"_aws"'));
    expect(JSON.parse(line ?? "{}").Account).toBe(ACCOUNT_ID);
  });

  it("writes nothing of the kind without --emf", async () => {
    const res = await runCli(["check", "--cluster", "prod", "--format", "json", "--log-level", "silent"]);
    expect(res.stderr).not.toContain("_aws");
  });
});
