import type { Rule, Status } from "../engine/types.ts";
import type { Report } from "./types.ts";

const LEVEL: Record<Status, "error" | "warning" | "note" | "none"> = {
  fail: "error",
  unknown: "error",
  warn: "warning",
  pass: "none",
};

/** SARIF 2.1.0 for code-scanning dashboards; resources are logical locations (there is no source file). */
export function formatSarif(report: Report, rules: readonly Rule[]): string {
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "ecs-preflight",
            version: report.tool.version,
            informationUri: "https://www.npmjs.com/package/ecs-preflight",
            rules: rules.map((r) => ({
              id: r.id,
              name: r.title,
              shortDescription: { text: r.docs.summary },
              fullDescription: { text: r.docs.rationale },
              help: { text: r.docs.remediation },
              defaultConfiguration: { level: r.severity === "fail" ? "error" : "warning" },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: report.exitCode !== 2,
            exitCode: report.exitCode,
            startTimeUtc: report.startedAt,
          },
        ],
        results: report.findings.map((f) => ({
          ruleId: f.rule,
          kind: f.status === "pass" ? "pass" : f.status === "unknown" ? "review" : "fail",
          level: LEVEL[f.status],
          message: { text: f.remediation ? `${f.message}\nFix:\n${f.remediation}` : f.message },
          locations: [{ logicalLocations: [{ fullyQualifiedName: f.resource, kind: "resource" }] }],
          properties: { status: f.status, ...(f.details ? { details: f.details } : {}) },
          ...(f.suppressed
            ? { suppressions: [{ kind: "external", justification: f.suppressed.reason }] }
            : {}),
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
