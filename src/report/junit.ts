import type { Finding } from "../engine/types.ts";
import type { Report } from "./types.ts";
import { xmlEscape as x } from "./xml.ts";

function testcase(f: Finding, failOn: Report["failOn"]): string {
  const open = `    <testcase classname="ecs-preflight.${x(f.rule)}" name="${x(f.resource)}">`;
  const body = [f.message, f.remediation ? `\nFix:\n${f.remediation}` : ""].join("");
  let inner = "";
  if (f.suppressed) inner = `<skipped message="${x(`suppressed: ${f.suppressed.reason}`)}"/>`;
  else if (f.status === "fail" || (f.status === "warn" && failOn === "warn")) {
    inner = `<failure message="${x(f.message)}" type="${f.status}">${x(body)}</failure>`;
  } else if (f.status === "unknown")
    inner = `<error message="${x(f.message)}" type="unknown">${x(body)}</error>`;
  else if (f.status === "warn") inner = `<system-out>${x(`WARN: ${body}`)}</system-out>`;
  return inner ? `${open}\n      ${inner}\n    </testcase>` : `${open}</testcase>`;
}

/** JUnit XML: one test suite per rule, one test case per finding (CI systems show failures inline). */
export function formatJunit(report: Report): string {
  const byRule = new Map<string, Finding[]>();
  for (const f of report.findings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  const suites = [...byRule].map(([rule, findings]) => {
    const failures = findings.filter(
      (f) => !f.suppressed && (f.status === "fail" || (f.status === "warn" && report.failOn === "warn")),
    ).length;
    const errors = findings.filter((f) => !f.suppressed && f.status === "unknown").length;
    const skipped = findings.filter((f) => f.suppressed).length;
    return [
      `  <testsuite name="${x(rule)}" tests="${findings.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" timestamp="${x(report.startedAt)}">`,
      ...findings.map((f) => testcase(f, report.failOn)),
      "  </testsuite>",
    ].join("\n");
  });
  const total = (k: "fail" | "unknown") => report.summary[k];
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="ecs-preflight" tests="${report.findings.length}" failures="${total("fail")}" errors="${total("unknown")}" time="${(report.durationMs / 1000).toFixed(3)}">`,
    ...suites,
    "</testsuites>",
    "",
  ].join("\n");
}
