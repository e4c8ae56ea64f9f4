import type { Finding } from "../engine/finding.ts";
import type { Rule } from "../engine/rule.ts";
import { type LeakedVolumeTotal, totalsOf } from "../engine/totals.ts";
import type { Formatter } from "./formats.ts";
import { describeLeakedVolumes } from "./leaked-volumes.ts";
import type { Report } from "./types.ts";
import { xmlEscape as x } from "./xml.ts";

/** What a finding is to JUnit: the one place that decides, so each suite's counts match its elements. */
function outcomeOf(f: Finding, failOn: Report["failOn"]): "skipped" | "failure" | "error" | "warn" | "pass" {
  if (f.suppressed || f.status === "skipped") return "skipped";
  if (f.status === "fail" || (f.status === "warn" && failOn === "warn")) return "failure";
  if (f.status === "unknown") return "error";
  return f.status;
}

function testcase(f: Finding, failOn: Report["failOn"]): string {
  const open = `    <testcase classname="ecs-preflight.${x(f.rule)}" name="${x(f.resource)}">`;
  const body = [f.message, f.remediation ? `\nFix:\n${f.remediation}` : ""].join("");
  let inner = "";
  switch (outcomeOf(f, failOn)) {
    case "skipped":
      inner = f.suppressed
        ? `<skipped message="${x(`suppressed: ${f.suppressed.reason}`)}"/>`
        : `<skipped message="${x(`not judged: ${f.message}`)}"/>`;
      break;
    case "failure":
      inner = `<failure message="${x(f.message)}" type="${f.status}">${x(body)}</failure>`;
      break;
    case "error":
      inner = `<error message="${x(f.message)}" type="unknown">${x(body)}</error>`;
      break;
    case "warn":
      inner = `<system-out>${x(`WARN: ${body}`)}</system-out>`;
      break;
  }
  return inner ? `${open}\n      ${inner}\n    </testcase>` : `${open}</testcase>`;
}

/** The leaked volumes' total as the suite's properties (JUnit's place for suite-level values), and in words. */
function leakProperties(total: LeakedVolumeTotal): string {
  return [
    "    <properties>",
    `      <property name="leakedVolumes" value="${total.volumes}"/>`,
    `      <property name="leakedVolumes.estimatedMonthlyCostUsd" value="${total.estimatedMonthlyCostUsd.toFixed(2)}"/>`,
    `      <property name="leakedVolumes.unpricedVolumes" value="${total.unpricedVolumes}"/>`,
    `      <property name="leakedVolumes.summary" value="${x(describeLeakedVolumes(total))}"/>`,
    "    </properties>",
  ].join("\n");
}

/** JUnit XML: one test suite per rule, one test case per finding (CI systems show failures inline). */
export function formatJunit(report: Report, rules: readonly Rule[]): string {
  // Over several targets a suite is one rule in one account-Region (named account/region/rule), so CI shows each apart.
  const byRule = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const key = f.account ? `${f.account}/${f.region}/${f.rule}` : f.rule;
    byRule.set(key, [...(byRule.get(key) ?? []), f]);
  }
  const suites = [...byRule].map(([rule, findings]) => {
    const outcomes = findings.map((f) => outcomeOf(f, report.failOn));
    const count = (o: ReturnType<typeof outcomeOf>) => outcomes.filter((v) => v === o).length;
    const counts = {
      tests: findings.length,
      failures: count("failure"),
      errors: count("error"),
      skipped: count("skipped"),
    };
    // A suite's totals are its own findings' (over targets: that account-Region's), as the rule sums them.
    const { leakedVolumes } = totalsOf(rules, findings);
    const xml = [
      `  <testsuite name="${x(rule)}" tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" timestamp="${x(report.startedAt)}">`,
      ...(leakedVolumes ? [leakProperties(leakedVolumes)] : []),
      ...(findings[0]?.account
        ? [
            `    <properties><property name="account" value="${x(findings[0].account)}"/><property name="region" value="${x(findings[0].region ?? "")}"/></properties>`,
          ]
        : []),
      ...findings.map((f) => testcase(f, report.failOn)),
      "  </testsuite>",
    ].join("\n");
    return { counts, xml };
  });
  // The totals are the sums of the suites: with --fail-on warn, warnings are failures on both levels.
  const total = (k: "tests" | "failures" | "errors") => suites.reduce((n, s) => n + s.counts[k], 0);
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="ecs-preflight" tests="${total("tests")}" failures="${total("failures")}" errors="${total("errors")}" time="${(report.durationMs / 1000).toFixed(3)}">`,
    ...suites.map((s) => s.xml),
    "</testsuites>",
    "",
  ].join("\n");
}

/** JUnit XML, as a formatter of the CLI (./formatter.ts) and the library (./index.ts). */
export const junitFormatter: Formatter = (report, options) => formatJunit(report, options.rules);
