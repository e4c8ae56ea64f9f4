import type { Rule, Status } from "../engine/types.ts";
import type { Report } from "./types.ts";

/**
 * A result's kind and level per status. SARIF 2.1.0 §3.27.10: level SHALL be "none" unless kind is "fail", so
 * every problem is a "fail" result and its level says how bad: `unknown` is an error, as a gate must block on it
 * (exit 3); `properties.status` keeps the status itself. A pass is kind "pass", level "none".
 */
const RESULT: Record<Status, { kind: "fail" | "pass"; level: "error" | "warning" | "none" }> = {
  fail: { kind: "fail", level: "error" },
  unknown: { kind: "fail", level: "error" },
  warn: { kind: "fail", level: "warning" },
  pass: { kind: "pass", level: "none" },
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
        // SARIF §3.8: a run may carry a property bag; the leaked volumes' total lives there.
        ...(report.leakedVolumes ? { properties: { leakedVolumes: report.leakedVolumes } } : {}),
        results: report.findings.map((f) => ({
          ruleId: f.rule,
          ...RESULT[f.status],
          message: { text: f.remediation ? `${f.message}\nFix:\n${f.remediation}` : f.message },
          locations: [
            {
              logicalLocations: [
                { fullyQualifiedName: f.resource, kind: "resource" },
                ...(f.account ? [{ fullyQualifiedName: `${f.account}/${f.region}`, kind: "namespace" }] : []),
              ],
            },
          ],
          properties: {
            status: f.status,
            // Over targets: where the resource was checked (ARNs of global resources name no Region).
            ...(f.account ? { account: f.account, region: f.region } : {}),
            ...(f.details ? { details: f.details } : {}),
          },
          ...(f.suppressed
            ? { suppressions: [{ kind: "external", justification: f.suppressed.reason }] }
            : {}),
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
