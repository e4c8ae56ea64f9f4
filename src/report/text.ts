import pc from "picocolors";
import { describeLink } from "../analysis/trail-links.ts";
import { roleNameOf } from "../arn/arn.ts";
import type { Finding } from "../engine/finding.ts";
import type { Rule } from "../engine/rule.ts";
import type { Status } from "../engine/status.ts";
import { compareText } from "../order.ts";
import type { Formatter } from "./formats.ts";
import { headlineOf } from "./headline.ts";
import { describeLeakedVolumes } from "./leaked-volumes.ts";
import { readsFailed } from "./reads-failed.ts";
import type { Report, TrailRoleSummary } from "./types.ts";

type Colors = ReturnType<typeof pc.createColors>;

const LABEL: Record<Status, string> = {
  fail: "FAIL",
  unknown: "UNKNOWN",
  warn: "WARN",
  pass: "PASS",
  skipped: "SKIPPED",
};
const ORDER: Record<Status, number> = { fail: 0, unknown: 1, warn: 2, pass: 3, skipped: 4 };

function paint(c: Colors, status: Status, text: string): string {
  switch (status) {
    case "fail":
      return c.bold(c.red(text));
    case "unknown":
      return c.bold(c.magenta(text));
    case "warn":
      return c.bold(c.yellow(text));
    case "skipped":
      return c.cyan(text);
    default:
      return c.green(text);
  }
}

function exitSentence(report: Report): string {
  switch (report.exitCode) {
    case 0:
      return "exit 0: safe.";
    case 1:
      return report.verdict === "warn"
        ? "exit 1: warnings block because of --fail-on warn."
        : "exit 1: unsafe. Fix the failures above before stopping tasks.";
    case 3:
      return "exit 3: undecided. Grant the missing read permissions (or fix the errors above) and run again.";
    default:
      return `exit ${report.exitCode}.`;
  }
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => prefix + line)
    .join("\n");
}

function detailed(c: Colors, f: Finding): string {
  const lines = [`${paint(c, f.status, LABEL[f.status].padEnd(7))} ${c.bold(f.rule)}  ${c.dim(f.resource)}`];
  lines.push(indent(f.message, "        "));
  if (f.suppressed) lines.push(c.dim(`        suppressed: ${f.suppressed.reason}`));
  if (f.remediation) {
    lines.push(c.cyan("        Fix:"));
    lines.push(indent(f.remediation, "          "));
  }
  return lines.join("\n");
}

/** The "Not judged" section: what a rule had in scope but could not honestly judge, why, and how to get it judged. */
function notJudged(c: Colors, findings: readonly Finding[]): string[] {
  const skipped = findings.filter((f) => f.status === "skipped");
  if (!skipped.length) return [];
  const lines = [c.bold("Not judged")];
  for (const f of skipped) {
    lines.push(`  ${c.cyan("–")} ${c.bold(f.rule)}  ${c.dim(f.resource)}`, indent(f.message, "      "));
    if (f.remediation) lines.push(c.cyan("      To judge it:"), indent(f.remediation, "        "));
  }
  return [...lines, ""];
}

/** One role's activity as rows: action, calls that succeeded, calls that failed and with which error codes. */
function trailRows(c: Colors, role: TrailRoleSummary): string[] {
  const rows = Object.entries(role.counts)
    .sort(([a], [b]) => compareText(a, b))
    .map(([action, outcomes]) => {
      const ok = outcomes.success ?? 0;
      const errors = Object.entries(outcomes)
        .filter(([outcome]) => outcome !== "success")
        .sort(([a], [b]) => compareText(a, b));
      const failed = errors.reduce((n, [, count]) => n + count, 0);
      return { action, ok, failed, codes: errors.map(([code, n]) => `${code} ×${n}`).join(", ") };
    });
  if (!rows.length) return [c.dim("no calls in the window")];
  const width = Math.max("Action".length, ...rows.map((r) => r.action.length));
  const lines = [c.dim(`${"Action".padEnd(width)}      OK  Failed`)];
  for (const r of rows) {
    // Pad before painting: colour codes would throw the columns out.
    const ok = r.ok ? c.green(String(r.ok).padStart(8)) : c.dim("-".padStart(8));
    const failed = r.failed ? c.red(String(r.failed).padStart(8)) : c.dim("-".padStart(8));
    lines.push(`${r.action.padEnd(width)}${ok}${failed}${r.codes ? `  ${c.red(r.codes)}` : ""}`);
  }
  const last = [
    role.lastSuccess && `last success ${role.lastSuccess}`,
    role.lastFailure && `last failure ${role.lastFailure}`,
  ].filter(Boolean);
  if (last.length) lines.push(c.dim(last.join(" · ")));
  for (const link of role.stuckTasks ?? [])
    lines.push(c.red(`✗ ${describeLink(link)}, last at ${link.lastFailure}`));
  if (role.unreadable)
    lines.push(
      c.magenta(
        `${role.unreadable} record${role.unreadable === 1 ? "" : "s"} of this session could not be read (their role is unknown)`,
      ),
    );
  return lines;
}

/** The `trail` section: per session name, per role, a short table of what the role's sessions did. */
function trailTable(c: Colors, report: Report): string[] {
  const out: string[] = [];
  for (const [session, roles] of Object.entries(report.trail)) {
    if (!roles.length) continue;
    out.push(c.bold(`CloudTrail: ${session} sessions`));
    for (const role of roles) {
      out.push(`  ${c.bold(roleNameOf(role.roleArn))}  ${c.dim(role.roleArn)}`);
      out.push(...trailRows(c, role).map((line) => `    ${line}`));
    }
  }
  return out;
}

/** The report for a person: the verdict first, then what is wrong with its fix, then what was verified. */
export function formatText(report: Report, options: { color: boolean; rules: readonly Rule[] }): string {
  const c = pc.createColors(options.color);
  const { summary } = report;
  const where = [
    report.region,
    report.account ? `account ${report.account}` : "",
    report.scope.source === "snapshot" ? `snapshot ${report.scope.snapshot}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  const out: string[] = [];
  out.push(
    `${paint(c, report.verdict, `${LABEL[report.verdict]}`)}  ${c.bold(`ecs-preflight: ${headlineOf(report.concerns, report.verdict, report.findings, options.rules)}`)}  ${c.dim(`(${where})`)}`,
  );
  out.push("");
  if (report.commonCause) {
    const cause = report.commonCause;
    out.push(
      c.bold(
        c.magenta(`${cause.summary}: ${readsFailed(cause.failedCalls)} (${cause.code}: ${cause.message}).`),
      ),
      `${c.cyan("Fix:")} ${cause.fix}.`,
      c.dim("Each check below is unknown for this reason."),
      "",
    );
  }
  const problems = report.findings
    .filter((f) => (f.status !== "pass" && f.status !== "skipped") || f.suppressed)
    .sort(
      (a, b) =>
        Number(Boolean(a.suppressed)) - Number(Boolean(b.suppressed)) || ORDER[a.status] - ORDER[b.status],
    );
  for (const f of problems) {
    out.push(detailed(c, f));
    out.push("");
  }
  out.push(...notJudged(c, report.findings));
  const passes = report.findings.filter((f) => f.status === "pass" && !f.suppressed);
  if (passes.length) {
    out.push(c.bold("Verified"));
    const width = Math.max(...passes.map((f) => f.rule.length));
    for (const f of passes) out.push(`  ${c.green("✓")} ${f.rule.padEnd(width)}  ${f.message}`);
    out.push("");
  }
  const trail = trailTable(c, report);
  if (trail.length) out.push(...trail, "");
  if (!report.findings.length)
    out.push("Nothing in scope: no infrastructure role, service or task was found to check.", "");
  if (report.leakedVolumes)
    out.push(`${c.bold("Leaked volumes")}  ${c.yellow(describeLeakedVolumes(report.leakedVolumes))}`);
  out.push(
    `${c.bold("Summary")}  ${c.red(`${summary.fail} fail`)} · ${c.magenta(`${summary.unknown} unknown`)} · ${c.yellow(`${summary.warn} warn`)} · ${c.green(`${summary.pass} pass`)}${summary.skipped ? ` · ${c.cyan(`${summary.skipped} skipped`)}` : ""}${summary.suppressed ? ` · ${summary.suppressed} suppressed` : ""}  ${c.dim(`in ${(report.durationMs / 1000).toFixed(1)} s`)}`,
  );
  out.push(exitSentence(report));
  return `${out.join("\n")}\n`;
}

/** Text for a terminal or a log, as a formatter of the CLI (./formatter.ts) and the library (./index.ts). */
export const textFormatter: Formatter = (report, options) =>
  formatText(report, { color: options.color, rules: options.rules });
