import type { Rule } from "../engine/rule.ts";
import type { Status } from "../engine/status.ts";
import type { Formatter } from "./formats.ts";
import { headlineOf } from "./headline.ts";
import { describeLeakedVolumes } from "./leaked-volumes.ts";
import { readsFailed } from "./reads-failed.ts";
import type { Report } from "./types.ts";

const ICON: Record<Status, string> = { fail: "❌", unknown: "❓", warn: "⚠️", pass: "✅", skipped: "⏭️" };

/** Escapes text for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, "<br>");
}

/** A Markdown report for pull-request comments and job summaries. */
export function formatMarkdown(report: Report, rules: readonly Rule[]): string {
  const { summary } = report;
  const out = [
    `## ${ICON[report.verdict]} ecs-preflight: ${report.verdict.toUpperCase()}: ${headlineOf(report.concerns, report.verdict, report.findings, rules)}`,
    "",
    `Region \`${report.region}\`${report.account ? `, account \`${report.account}\`` : ""} · ${summary.fail} fail · ${summary.unknown} unknown · ${summary.warn} warn · ${summary.pass} pass${summary.skipped ? ` · ${summary.skipped} skipped` : ""}${summary.suppressed ? ` · ${summary.suppressed} suppressed` : ""} · exit code ${report.exitCode}`,
    "",
    ...(report.commonCause
      ? [
          `> **${report.commonCause.summary}**: ${readsFailed(report.commonCause.failedCalls)} (\`${report.commonCause.code}\`: ${report.commonCause.message}).`,
          `> **Fix:** ${report.commonCause.fix}.`,
          "",
        ]
      : []),
    ...(report.leakedVolumes
      ? [`**Leaked volumes:** ${describeLeakedVolumes(report.leakedVolumes)}`, ""]
      : []),
    "| Status | Rule | Resource | Finding |",
    "|---|---|---|---|",
  ];
  for (const f of report.findings.filter((x) => x.status !== "skipped")) {
    out.push(
      `| ${ICON[f.status]} ${f.suppressed ? "(suppressed) " : ""}${f.status} | \`${f.rule}\` | \`${cell(f.resource)}\` | ${cell(f.message)} |`,
    );
  }
  const skipped = report.findings.filter((f) => f.status === "skipped");
  if (skipped.length) {
    out.push("", "### Not judged", "");
    for (const f of skipped)
      out.push(
        `- \`${f.rule}\` · \`${f.resource}\`: ${f.message}${f.remediation ? `<br>To judge it: \`${f.remediation.replace(/\n/g, " ")}\`` : ""}`,
      );
  }
  const fixes = report.findings.filter((f) => f.remediation && f.status !== "pass" && !f.suppressed);
  if (fixes.length) {
    out.push("", "### How to fix", "");
    for (const f of fixes) {
      out.push(`**${f.rule}** · \`${f.resource}\``, "", "```sh", f.remediation ?? "", "```", "");
    }
  }
  return `${out.join("\n").trimEnd()}\n`;
}

/** Markdown, as a formatter of the CLI (./formatter.ts) and the library (./index.ts). */
export const markdownFormatter: Formatter = (report, options) => formatMarkdown(report, options.rules);
