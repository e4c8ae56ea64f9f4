import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { rules } from "../../rules/index.ts";
import reportSchema from "../../schema/report.schema.json" with { type: "json" };
import { summarise } from "../../src/engine/verdict.ts";
import { evaluate } from "../../src/pipeline/evaluate.ts";
import { formatReport } from "../../src/report/index.ts";
import type { Report } from "../../src/report/types.ts";
import { readSnapshot } from "../../src/snapshot/index.ts";
import { ANSI } from "../support/ansi.ts";

const demo = await readSnapshot("fixtures/demo/account.json");
const report: Report = evaluate(demo, { source: "snapshot", snapshot: "demo.json" });

describe("report formats", () => {
  it("json validates against schema/report.schema.json and keeps the documented fields", () => {
    const json = JSON.parse(formatReport(report, "json", { color: false, rules }));
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(reportSchema);
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json.verdict).toBe("fail");
    expect(json.exitCode).toBe(1);
    const count = (status: string) => report.findings.filter((f) => f.status === status).length;
    expect(json.summary).toEqual({
      pass: count("pass"),
      warn: count("warn"),
      fail: count("fail"),
      unknown: 0,
      skipped: count("skipped"),
      suppressed: 0,
    });
    expect(json.summary.fail).toBeGreaterThan(0);
    expect(Object.keys(json.trail)).toEqual(["ECSTaskVolumesForEBS", "ECSManagedInstancesForCompute"]);
  });

  it("text puts the verdict first, then problems with fixes, then what was verified; plain without colour", () => {
    const text = formatReport(report, "text", { color: false, rules });
    expect(text.split("\n")[0]).toMatch(/^FAIL {2}ecs-preflight: NOT safe to stop tasks/);
    expect(text).not.toMatch(ANSI);
    expect(text.indexOf("FAIL    role-exists")).toBeLessThan(text.indexOf("Verified"));
    expect(text).toMatch(/Fix:\n\s+aws iam update-assume-role-policy --role-name ecs-infra-reports/);
    expect(text).toMatch(/exit 1: unsafe/);
  });

  it("text is coloured only when asked", () => {
    expect(formatReport(report, "text", { color: true, rules })).toMatch(ANSI);
  });

  it("junit has a suite per rule and a failure per failing finding, XML-escaped", () => {
    const xml = formatReport(report, "junit", { color: false, rules });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml.match(/<testsuite /g)).toHaveLength(new Set(report.findings.map((f) => f.rule)).size);
    expect(xml.match(/<testcase /g)).toHaveLength(report.findings.length);
    expect(xml.match(/<failure /g)).toHaveLength(report.summary.fail);
    expect(xml).toContain("&apos;{&quot;Version&quot;");
    expect(xml).not.toMatch(/'{"Version"/);
  });

  it("junit turns warnings into failures with --fail-on warn", () => {
    const xml = formatReport({ ...report, failOn: "warn" }, "junit", { color: false, rules });
    expect(xml.match(/<failure /g)).toHaveLength(report.summary.fail + report.summary.warn);
  });

  it.each(["fail", "warn"] as const)(
    "junit totals on <testsuites> are the sums of the suites with --fail-on %s",
    (failOn) => {
      const base = report.findings[0];
      if (!base) throw new Error("the demo report has findings");
      // Every status, in two rules, suppressed and not: each total must add up whatever the mix.
      const findings = [...report.findings];
      for (const rule of ["role-exists", "managed-policy"])
        for (const status of ["pass", "warn", "fail", "unknown"] as const) {
          findings.push({
            ...base,
            rule,
            status,
            resource: `arn:aws:iam::111122223333:role/${rule}-${status}`,
          });
          findings.push({
            ...base,
            rule,
            status,
            resource: `arn:aws:iam::111122223333:role/${rule}-${status}-s`,
            suppressed: { reason: "accepted" },
          });
        }
      const summary = summarise(findings);
      const xml = formatReport({ ...report, findings, summary, failOn }, "junit", { color: false, rules });
      const attr = (tag: string, name: string) =>
        [...xml.matchAll(new RegExp(`<${tag} [^>]*\\b${name}="(\\d+)"`, "g"))].map((m) => Number(m[1]));
      const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);
      for (const name of ["tests", "failures", "errors"]) {
        const [total] = attr("testsuites", name);
        expect(total, name).toBe(sum(attr("testsuite", name)));
      }
      expect(attr("testsuites", "tests")).toEqual([findings.length]);
      expect(attr("testsuites", "failures")).toEqual([(xml.match(/<failure /g) ?? []).length]);
      expect(attr("testsuites", "errors")).toEqual([(xml.match(/<error /g) ?? []).length]);
      const warns = findings.filter((f) => f.status === "warn" && !f.suppressed).length;
      const fails = findings.filter((f) => f.status === "fail" && !f.suppressed).length;
      expect(attr("testsuites", "failures")).toEqual([failOn === "warn" ? fails + warns : fails]);
    },
  );

  it("sarif 2.1.0 lists every rule and a result per problem, each with a logical location too", () => {
    const sarif = JSON.parse(formatReport(report, "sarif", { color: false, rules }));
    expect(sarif.version).toBe("2.1.0");
    const run = sarif.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(rules.map((r) => r.id));
    // Passes and skipped findings are left out of SARIF results.
    expect(run.results).toHaveLength(
      report.findings.filter((f) => f.status !== "pass" && f.status !== "skipped").length,
    );
    expect(run.properties.summary).toEqual(report.summary);
    const fail = run.results.find((r: { level: string }) => r.level === "error");
    expect(fail.locations[0].logicalLocations[0].fullyQualifiedName).toMatch(/^arn:aws:iam::/);
  });

  it("sarif kind and level obey SARIF 2.1.0 §3.27.10; unknown blocks; passes are not results", () => {
    const base = report.findings[0];
    if (!base) throw new Error("the demo report has findings");
    const statuses = ["pass", "warn", "fail", "unknown"] as const;
    const findings = statuses.flatMap((status) => [
      { ...base, status, resource: `arn:aws:iam::111122223333:role/${status}` },
      {
        ...base,
        status,
        resource: `arn:aws:iam::111122223333:role/${status}-suppressed`,
        suppressed: { reason: "accepted" },
      },
    ]);
    const problems = findings.filter((f) => f.status !== "pass");
    const sarif = JSON.parse(formatReport({ ...report, findings }, "sarif", { color: false, rules }));
    const results: {
      kind: string;
      level: string;
      properties: { status: string };
      suppressions?: unknown[];
    }[] = sarif.runs[0].results;
    expect(results).toHaveLength(problems.length);
    for (const r of results) expect(r.kind).toBe("fail");
    const pairs = Object.fromEntries(
      results.map((r, i) => [problems[i]?.resource.split("/")[1], [r.kind, r.level, r.properties.status]]),
    );
    expect(pairs).toEqual({
      warn: ["fail", "warning", "warn"],
      "warn-suppressed": ["fail", "warning", "warn"],
      fail: ["fail", "error", "fail"],
      "fail-suppressed": ["fail", "error", "fail"],
      unknown: ["fail", "error", "unknown"],
      "unknown-suppressed": ["fail", "error", "unknown"],
    });
    results.forEach((r, i) => {
      if (problems[i]?.suppressed)
        expect(r.suppressions).toEqual([{ kind: "external", justification: "accepted" }]);
      else expect(r.suppressions).toBeUndefined();
    });
  });

  it("markdown has a row per finding and the fixes in shell blocks", () => {
    const md = formatReport(report, "markdown", { color: false, rules });
    expect(md).toMatch(/^## ❌ ecs-preflight: FAIL/);
    // Skipped findings are listed under "Not judged", not in the table.
    const skipped = report.findings.filter((f) => f.status === "skipped");
    expect(skipped.length).toBeGreaterThan(0); // the demo's pass-role for roles nobody is known to deploy
    expect(md.match(/^\| (✅|❌|⚠️|❓)/gm)).toHaveLength(report.findings.length - skipped.length);
    expect(md).toMatch(/Not judged/);
    expect(md).toMatch(/```sh\naws iam update-assume-role-policy/);
  });
});
