import type { Finding } from "../engine/finding.ts";
import type { Rule } from "../engine/rule.ts";
import type { Status } from "../engine/status.ts";
import type { Formatter } from "./formats.ts";
import { REPOSITORY_URL, ruleDocMarkdown, ruleDocUrl } from "./rule-doc.ts";
import {
  changeFileUri,
  changeLine,
  changeLocationName,
  changeLocationOf,
  resourceUri,
  resultFingerprint,
} from "./sarif-location.ts";
import type { Report } from "./types.ts";

/**
 * A result's kind and level per status. SARIF 2.1.0 §3.27.10: level SHALL be "none" unless kind is "fail", so
 * every problem is a "fail" result and its level says how bad: `unknown` is an error, as a gate must block on it
 * (exit 3); `properties.status` keeps the status itself.
 */
const RESULT: Record<Exclude<Status, "pass" | "skipped">, { kind: "fail"; level: "error" | "warning" }> = {
  fail: { kind: "fail", level: "error" },
  unknown: { kind: "fail", level: "error" },
  warn: { kind: "fail", level: "warning" },
};

/** The key of our fingerprint in `partialFingerprints` (versioned: a new way to fingerprint gets a new key). */
export const FINGERPRINT_KEY = "ecsPreflightResource/v1";

export interface SarifOptions {
  rules: readonly Rule[];
  /** The input file that describes the change (a template, a plan or change set, else the config), relative to the repository root. */
  changeFile?: string;
  /** That file's text, to point each planned change's result at the line that holds it. */
  changeText?: string;
}

function helpText(rule: Rule): string {
  const { snippets } = rule;
  const blocks = [
    rule.docs.remediation,
    snippets?.awsCli && `AWS CLI:\n${snippets.awsCli}`,
    snippets?.cloudFormation && `CloudFormation:\n${snippets.cloudFormation}`,
    snippets?.terraform && `Terraform:\n${snippets.terraform}`,
    snippets?.operational,
  ];
  return blocks.filter(Boolean).join("\n\n");
}

function location(f: Finding, report: Report, options: SarifOptions) {
  const { changeFile } = options;
  const change = changeLocationOf(f);
  return {
    physicalLocation: {
      artifactLocation: { uri: changeFile ? changeFileUri(changeFile) : resourceUri(f, report) },
      region: { startLine: changeFile ? changeLine(options.changeText, change) : 1 },
    },
    logicalLocations: [
      { fullyQualifiedName: f.resource, kind: "resource" },
      ...(change ? [{ fullyQualifiedName: changeLocationName(change), kind: "declaration" }] : []),
      ...(f.account ? [{ fullyQualifiedName: `${f.account}/${f.region}`, kind: "namespace" }] : []),
    ],
  };
}

/**
 * SARIF 2.1.0 that GitHub code scanning accepts. Passes are not results: code scanning shows every result as an
 * alert whatever its kind, so a pass would keep a fixed problem's alert open; the run's `properties` count them.
 */
function ruleDescriptors(rules: readonly Rule[]) {
  return rules.map((r) => ({
    id: r.id,
    name: r.title,
    shortDescription: { text: r.docs.summary },
    fullDescription: { text: r.docs.rationale },
    help: { text: helpText(r), markdown: ruleDocMarkdown(r) },
    helpUri: ruleDocUrl(r.id),
    defaultConfiguration: { level: r.severity === "fail" ? "error" : "warning" },
    properties: { tags: ["ecs", "ebs", "iam"], severity: r.severity },
  }));
}

/** Not a rule of rules/ (the fan-out sets it for a target it could not reach), but code scanning wants it described. */
const TARGET_ACCESS_RULE_ID = "target-access";
const TARGET_ACCESS_DESCRIPTOR = {
  id: TARGET_ACCESS_RULE_ID,
  name: "Target reached",
  shortDescription: {
    text: "The account-Region could be checked: its role assumed, its Regions listed, its report found.",
  },
  fullDescription: {
    text: "Across accounts and Regions, a target that cannot be reached is unknown, never skipped: nothing in it was verified.",
  },
  help: { text: "See docs/org-scale.md.", markdown: "See [docs/org-scale.md](docs/org-scale.md)." },
  helpUri: `${REPOSITORY_URL}/blob/main/docs/org-scale.md`,
  defaultConfiguration: { level: "error" },
  properties: { tags: ["ecs", "iam"], severity: "fail" },
};

export function formatSarif(report: Report, options: SarifOptions): string {
  // Skipped findings are left out like passes: an alert would be noise for something nobody could judge.
  const problems = report.findings.filter((f) => f.status !== "pass" && f.status !== "skipped");
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "ecs-preflight",
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: REPOSITORY_URL,
            rules: ruleDescriptors(options.rules),
            ...(problems.some((f) => f.rule === TARGET_ACCESS_RULE_ID)
              ? { rules: [...ruleDescriptors(options.rules), TARGET_ACCESS_DESCRIPTOR] }
              : {}),
          },
        },
        invocations: [
          {
            executionSuccessful: report.exitCode !== 2,
            exitCode: report.exitCode,
            startTimeUtc: report.startedAt,
          },
        ],
        results: problems.map((f) => ({
          ruleId: f.rule,
          ...RESULT[f.status as keyof typeof RESULT],
          message: { text: f.remediation ? `${f.message}\nFix:\n${f.remediation}` : f.message },
          locations: [location(f, report, options)],
          // Over targets the same role (IAM is global) is checked in each Region: one alert per Region.
          partialFingerprints: {
            [FINGERPRINT_KEY]: resultFingerprint(
              f.region ? { rule: f.rule, resource: `${f.resource}@${f.account}/${f.region}` } : f,
            ),
          },
          properties: {
            status: f.status,
            resource: f.resource,
            // Over targets: where the resource was checked (ARNs of global resources name no Region).
            ...(f.account ? { account: f.account, region: f.region } : {}),
            ...(f.details ? { details: f.details } : {}),
          },
          ...(f.suppressed
            ? { suppressions: [{ kind: "external", justification: f.suppressed.reason }] }
            : {}),
        })),
        // SARIF §3.8: a run may carry a property bag: the verdict, the counts, the leaked volumes' total.
        properties: {
          verdict: report.verdict,
          summary: report.summary,
          ...(report.leakedVolumes ? { leakedVolumes: report.leakedVolumes } : {}),
        },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

/** SARIF, as a formatter of the CLI (./formatter.ts) and the library (./index.ts). */
export const sarifFormatter: Formatter = (report, options) =>
  formatSarif(report, {
    rules: options.rules,
    ...(options.changeFile ? { changeFile: options.changeFile } : {}),
    ...(options.changeText ? { changeText: options.changeText } : {}),
  });
