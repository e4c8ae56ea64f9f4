import { describe, expect, it } from "vitest";
import { rules } from "../../rules/index.ts";
import { explainText } from "../../src/cli/commands/rules-run.ts";
import { ANSI } from "../support/ansi.ts";
import { runBundle, runCli } from "../support/cli.ts";

const DEMO = "fixtures/demo/account.json";
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at [\w.<]/);

describe("usage errors exit 2 with one clear line", () => {
  it.each([
    [["check", "--frobnicate"], /unknown option '--frobnicate'/],
    [
      ["check", "--format", "yaml"],
      /option '--format <format>' argument 'yaml' is invalid\. Allowed choices are text, json, junit, sarif, markdown/,
    ],
    [["check", "--fail-on", "never"], /Allowed choices are fail, warn/],
    [
      ["check", "--stuck-after", "15 minutes"],
      /expected a duration such as 90s, 15m, 2h or 1d, got "15 minutes"/,
    ],
    [["check", "--since", "91d"], /at most 90d/],
    [["check", "--since", "5x"], /expected a duration/],
    [["check", "--role", ""], /expected a role name or ARN, got an empty value/],
    [["check", "--role", "a,,b"], /expected a role name or ARN, got an empty value/],
    [["check", "--max-attempts", "0"], /expected a whole number from 1 to 20/],
    [["check", "--snapshot", DEMO, "--role", "x"], /--role cannot be combined with --snapshot/],
    [
      ["check", "--snapshot", DEMO, "--since", "7d"],
      /^ecs-preflight: error: --since cannot be combined with --snapshot: the snapshot's CloudTrail window was fixed when it was taken .*\n$/,
    ],
    [
      ["check", "--snapshot", "no/such/file.json"],
      /no\/such\/file\.json: cannot read snapshot \(no such file\)/,
    ],
    [
      ["check", "--snapshot", DEMO, "--config", "no-such-config.json"],
      /no-such-config\.json: cannot read config file/,
    ],
    [["explain", "no-such-rule"], /unknown rule "no-such-rule"; known rules: ecs-scope, role-exists/],
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["snapshot", "--role", "x"], /required option '--out <file>' not specified/],
  ])("%j", async (args, message) => {
    const { code, stdout, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout).toBe("");
    noStack(stderr);
  });

  it("a snapshot that breaks the schema exits 2 naming the file, the JSON path and what was expected", async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const facts = JSON.parse(readFileSync(DEMO, "utf8"));
    facts.roles[1].role = { ok: true };
    const file = join(mkdtempSync(join(tmpdir(), "bad-")), "facts.json");
    writeFileSync(file, JSON.stringify(facts));
    const { code, stdout, stderr } = await runCli(["check", "--snapshot", file]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trim()).toBe(
      `ecs-preflight: error: ${file}: roles[1].role: missing required property "value"`,
    );
  });

  it("--stuck-after with --snapshot is applied on replay (the rules measure it, not the collector)", async () => {
    const stuck = async (...args: string[]) => {
      const { code, stdout } = await runCli(["check", "--snapshot", DEMO, "--format", "json", ...args]);
      const report = JSON.parse(stdout) as { findings: { rule: string; status: string }[] };
      return {
        code,
        statuses: report.findings.filter((f) => f.rule === "tasks-deprovisioning").map((f) => f.status),
      };
    };
    const byDefault = await stuck();
    expect(byDefault.statuses).toContain("fail");
    const patient = await stuck("--stuck-after", "2d");
    expect(patient.statuses.length).toBeGreaterThan(0);
    expect(patient.statuses.every((s) => s === "pass")).toBe(true);
  });

  it("an --output file that cannot be written is an input error naming it, not a crash", async () => {
    const { code, stdout, stderr } = await runCli([
      "check",
      "--snapshot",
      DEMO,
      "--output",
      "/nonexistent-dir/report.json",
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr.trim()).toMatch(
      /^ecs-preflight: error: --output \/nonexistent-dir\/report\.json: cannot write the report \(ENOENT\)$/,
    );
  });

  it("a region that is not a region is a usage error before any AWS call", async () => {
    const { code, stderr } = await runCli(["check", "--role", "x", "--region", "mars"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--region: expected a Region such as us-east-1, got "mars"/);
  });

  it("no region anywhere is a usage error naming the ways to give one", async () => {
    const { code, stderr } = await runCli(["check", "--role", "x"], {
      env: { AWS_REGION: "", AWS_DEFAULT_REGION: "", AWS_CONFIG_FILE: "/nonexistent", AWS_PROFILE: "" },
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/no AWS Region: pass --region, set AWS_REGION/);
  });
});

describe("help, version, rules, explain", () => {
  it("--help lists the commands and exit codes, exit 0", async () => {
    const { code, stdout } = await runCli(["--help"]);
    expect(code).toBe(0);
    for (const cmd of ["check", "snapshot", "rules", "explain"]) expect(stdout).toContain(cmd);
    expect(stdout).toMatch(
      /Exit codes:\n {2}0 {2}safe.*\n {2}1 {2}unsafe.*\n {2}2 {2}usage or input error.*\n {2}3 {2}could not decide/,
    );
  });

  it("check --help documents every flag", async () => {
    const { code, stdout } = await runCli(["check", "--help"]);
    expect(code).toBe(0);
    for (const flag of [
      "--cluster",
      "--service",
      "--task",
      "--role",
      "--region",
      "--profile",
      "--max-attempts",
      "--since",
      "--stuck-after",
      "--snapshot",
      "--config",
      "--format",
      "--output",
      "--fail-on",
      "--redact",
    ]) {
      expect(stdout).toContain(flag);
    }
  });

  it("--version prints the package version", async () => {
    const { code, stdout } = await runCli(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("rules lists every rule id", async () => {
    const { code, stdout } = await runCli(["rules"]);
    expect(code).toBe(0);
    expect(
      stdout
        .trim()
        .split("\n")
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(rules.map((r) => r.id));
  });

  it("explain prints the rule's docs", async () => {
    const { code, stdout } = await runCli(["explain", "trust-policy"]);
    expect(code).toBe(0);
    expect(stdout).toBe(explainText("trust-policy"));
  });
});

describe("the demo snapshot through the bundle", () => {
  it("prints the verdict first, no colour when not a terminal, exit 1", async () => {
    const { code, stdout, stderr } = await runBundle(["check", "--snapshot", DEMO]);
    expect(code).toBe(1);
    expect(stdout.split("\n")[0]).toMatch(/^FAIL {2}ecs-preflight: NOT safe to stop tasks/);
    expect(stdout).not.toMatch(ANSI);
    noStack(stderr);
    expect(JSON.parse(stderr.trim().split("\n").pop() ?? "{}").msg).toBe("check finished"); // JSON logs off a TTY
  });

  it("FORCE_COLOR colours, NO_COLOR wins over it", async () => {
    expect((await runBundle(["check", "--snapshot", DEMO], { FORCE_COLOR: "1" })).stdout).toMatch(ANSI);
    expect(
      (await runBundle(["check", "--snapshot", DEMO], { FORCE_COLOR: "1", NO_COLOR: "1" })).stdout,
    ).not.toMatch(ANSI);
  });

  it("--output writes the report to the file; --redact hides the account", async () => {
    const { mkdtempSync, readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "out-")), "r.json");
    const run = await runBundle([
      "check",
      "--snapshot",
      DEMO,
      "--format",
      "json",
      "--output",
      file,
      "--redact",
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const text = readFileSync(file, "utf8");
    expect(JSON.parse(text).verdict).toBe("fail");
    expect(text).not.toContain("111122223333");
  });

  it("npm run demo finishes cleanly and says what a real run would exit", async () => {
    const { spawnSync } = await import("node:child_process");
    const r = spawnSync("npm", ["run", "--silent", "demo"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/a real run on this account would exit 1 \(unsafe\)/);
    expect(r.stderr).not.toMatch(/npm error/);
  });
});
