import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { rules } from "../../rules/index.ts";
import reportSchema from "../../schema/report.schema.json" with { type: "json" };
import type { Finding } from "../../src/engine/finding.ts";
import { combineParts, partsOf, type TargetPart } from "../../src/report/combine.ts";
import { formatReport } from "../../src/report/index.ts";
import type { Report } from "../../src/report/types.ts";

/** A report over targets in every format: the targets first, worst first, then the findings grouped by target. */

const finding = (status: Finding["status"], account: string, region: string): Finding => ({
  rule: "role-exists",
  status,
  resource: `arn:aws:iam::${account}:role/ecsInfrastructureRole`,
  message: `${status} in ${account} ${region}`,
  account,
  region,
});

const part = (account: string, region: string, status: Finding["status"]): TargetPart => ({
  target: {
    account,
    region,
    verdict: "pass",
    exitCode: 0,
    summary: { pass: 0, warn: 0, fail: 0, unknown: 0, suppressed: 0 },
    durationMs: 5,
    trail: {},
  },
  findings: [finding(status, account, region)],
});

const report: Report = combineParts(
  [
    part("111122223333", "us-east-1", "pass"),
    part("444455556666", "eu-west-1", "fail"),
    part("444455556666", "us-east-1", "warn"),
  ],
  {
    failOn: "fail",
    startedAt: new Date("2026-12-01T00:00:00Z"),
    durationMs: 10,
    rules,
    base: {
      tool: { name: "ecs-preflight", version: "0.0.0" },
      scope: { clusters: [], services: [], tasks: [], roles: [], source: "aws" },
      collectedAt: "2026-12-01T00:00:00Z",
    },
  },
);
const format = (f: "text" | "json" | "junit" | "sarif" | "markdown") =>
  formatReport(report, f, { color: false, rules });

describe("combineParts", () => {
  it("recomputes each target's verdict and the worst one, worst first", () => {
    expect(report.targets?.map((t) => [t.account, t.region, t.verdict, t.exitCode])).toEqual([
      ["444455556666", "eu-west-1", "fail", 1],
      ["444455556666", "us-east-1", "warn", 0],
      ["111122223333", "us-east-1", "pass", 0],
    ]);
    expect(report).toMatchObject({ verdict: "fail", exitCode: 1, account: null, region: null });
    expect(report.summary).toMatchObject({ pass: 1, warn: 1, fail: 1 });
  });

  it("splits back into the same parts (merge of a merged report is the same report)", () => {
    const again = combineParts(partsOf(report), {
      failOn: "fail",
      startedAt: new Date(report.startedAt),
      durationMs: report.durationMs,
      rules,
      base: report,
    });
    expect(again).toEqual(report);
  });
});

describe("concerns over targets", () => {
  it("each target has its own, and the report's span them: the worst target's stopping tasks fails", () => {
    expect(report.targets?.map((t) => [t.account, t.region, t.concerns?.["stopping-tasks"].status])).toEqual([
      ["444455556666", "eu-west-1", "fail"],
      ["444455556666", "us-east-1", "warn"],
      ["111122223333", "us-east-1", "pass"],
    ]);
    expect(report.concerns?.["stopping-tasks"]).toMatchObject({ status: "fail", failed: ["role-exists"] });
  });

  it("text and Markdown name them in the top line and in each target's section", () => {
    const text = format("text");
    expect(text.split("\n")[0]).toMatch(/^FAIL {2}ecs-preflight: 3 account-Regions: NOT safe to stop tasks$/);
    expect(text).toContain("PASS  ecs-preflight: safe to stop the tasks in scope");
    expect(format("markdown").split("\n")[0]).toBe(
      "## ❌ ecs-preflight: FAIL across 3 account-Regions: NOT safe to stop tasks",
    );
  });
});

describe("formats", () => {
  it("text: the targets table first, then a section per target", () => {
    const text = format("text");
    const table = text.indexOf("Verdict");
    const fail = text.indexOf("FAIL     444455556666 eu-west-1");
    const pass = text.indexOf("PASS     111122223333 us-east-1");
    expect(table).toBeGreaterThan(0);
    expect(fail).toBeGreaterThan(table);
    expect(pass).toBeGreaterThan(fail);
    const sections = [...text.matchAll(/── account (\d+) · ([a-z0-9-]+)/g)].map((m) => `${m[1]}/${m[2]}`);
    expect(sections).toEqual(["444455556666/eu-west-1", "444455556666/us-east-1", "111122223333/us-east-1"]);
    expect(text.indexOf("fail in 444455556666 eu-west-1")).toBeGreaterThan(
      text.indexOf("── account 444455556666 · eu-west-1"),
    );
    expect(text).toContain("exit 1");
  });

  it("markdown: the targets table, then a section per target", () => {
    const md = format("markdown");
    expect(md).toMatch(/\| ❌ fail \| `444455556666` \| `eu-west-1` \|/);
    expect(md.match(/^### /gm)).toHaveLength(3);
  });

  it("junit: a suite per target and rule, with account and Region properties", () => {
    const xml = format("junit");
    expect(xml).toContain('<testsuite name="444455556666/eu-west-1/role-exists" tests="1" failures="1"');
    expect(xml).toContain('<property name="account" value="111122223333"/>');
    expect(xml.match(/<testsuite /g)).toHaveLength(3);
  });

  it("sarif: each result carries its account and Region", () => {
    const sarif = JSON.parse(format("sarif")) as {
      runs: {
        results: { properties: { account?: string }; locations: { logicalLocations: object[] }[] }[];
      }[];
    };
    const results = sarif.runs[0]?.results ?? [];
    // Passes are not SARIF results (code scanning would keep them open as alerts): the fail and the warn.
    expect(results.map((r) => r.properties.account)).toEqual(["444455556666", "444455556666"]);
    expect(results[0]?.locations[0]?.logicalLocations[1]).toEqual({
      fullyQualifiedName: "444455556666/eu-west-1",
      kind: "namespace",
    });
  });

  it("json: targets and tagged findings", () => {
    const json = JSON.parse(format("json")) as Report;
    expect(json.targets).toHaveLength(3);
    expect(json.findings.every((f) => f.account && f.region)).toBe(true);
  });
});

describe("schema", () => {
  it("a report over targets validates against schema/report.schema.json", () => {
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(reportSchema);
    const json = JSON.parse(format("json"));
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    // The target-level fields are required: a target without its summary is not a report of this schema.
    delete json.targets[0].summary;
    expect(validate(json)).toBe(false);
  });
});

describe("--redact over several accounts", () => {
  it("gives each account its own pseudonym, so each target keeps its own findings", async () => {
    const { redactReport } = await import("../../src/report/redact.ts");
    const hidden = redactReport(report);
    const text = JSON.stringify(hidden);
    expect(text).not.toMatch(/\d{12}/);
    const accounts = new Set(hidden.targets?.map((t) => t.account));
    expect(accounts.size).toBe(2);
    const shown = formatReport(hidden, "text", { color: false, rules });
    // Each section shows one finding: the targets did not merge into one.
    expect(shown.match(/^(FAIL|WARN|PASS)\s+role-exists|✓ role-exists/gm)).toHaveLength(3);
  });
});
