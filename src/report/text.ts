import pc from "picocolors";
import type { Finding, Status } from "../engine/types.ts";
import type { Report } from "./types.ts";

type Colors = ReturnType<typeof pc.createColors>;

const LABEL: Record<Status, string> = { fail: "FAIL", unknown: "UNKNOWN", warn: "WARN", pass: "PASS" };
const ORDER: Record<Status, number> = { fail: 0, unknown: 1, warn: 2, pass: 3 };

function paint(c: Colors, status: Status, text: string): string {
  switch (status) {
    case "fail":
      return c.bold(c.red(text));
    case "unknown":
      return c.bold(c.magenta(text));
    case "warn":
      return c.bold(c.yellow(text));
    default:
      return c.green(text);
  }
}

const HEADLINE: Record<Status, string> = {
  pass: "safe to stop the tasks in scope",
  warn: "safe to stop, with warnings",
  fail: "NOT safe to stop tasks",
  unknown: "could not decide: some checks could not be made",
};

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

function trailTable(c: Colors, report: Report): string[] {
  const out: string[] = [];
  for (const [session, roles] of Object.entries(report.trail)) {
    for (const role of roles) {
      out.push(`${c.bold(`CloudTrail ${session}`)}  ${c.dim(role.roleArn)}`);
      const rows = Object.entries(role.counts).sort(([a], [b]) => a.localeCompare(b));
      if (!rows.length) out.push("        no calls in the window");
      for (const [action, outcomes] of rows) {
        const cells = Object.entries(outcomes)
          .sort(([a], [b]) => (a === "success" ? -1 : b === "success" ? 1 : a.localeCompare(b)))
          .map(([outcome, n]) => (outcome === "success" ? c.green(`${n} ok`) : c.red(`${n} ${outcome}`)));
        out.push(`        ${action.padEnd(22)} ${cells.join("  ")}`);
      }
      const last = [
        role.lastSuccess ? `last success ${role.lastSuccess}` : "",
        role.lastFailure ? `last failure ${role.lastFailure}` : "",
      ].filter(Boolean);
      if (last.length) out.push(c.dim(`        ${last.join(" · ")}`));
    }
  }
  return out;
}

/** The report for a person: the verdict first, then what is wrong with its fix, then what was verified. */
export function formatText(report: Report, options: { color: boolean }): string {
  const c = pc.createColors(options.color);
  const { summary } = report;
  const where = [report.region, report.account ? `account ${report.account}` : "", report.scope.source === "snapshot" ? `snapshot ${report.scope.snapshot}` : ""]
    .filter(Boolean)
    .join(", ");
  const out: string[] = [];
  out.push(`${paint(c, report.verdict, `${LABEL[report.verdict]}`)}  ${c.bold(`ecs-preflight: ${HEADLINE[report.verdict]}`)}  ${c.dim(`(${where})`)}`);
  out.push("");
  const problems = report.findings
    .filter((f) => f.status !== "pass" || f.suppressed)
    .sort((a, b) => Number(Boolean(a.suppressed)) - Number(Boolean(b.suppressed)) || ORDER[a.status] - ORDER[b.status]);
  for (const f of problems) {
    out.push(detailed(c, f));
    out.push("");
  }
  const passes = report.findings.filter((f) => f.status === "pass" && !f.suppressed);
  if (passes.length) {
    out.push(c.bold("Verified"));
    for (const f of passes) out.push(`  ${c.green("✓")} ${f.rule.padEnd(20)} ${f.message}`);
    out.push("");
  }
  const trail = trailTable(c, report);
  if (trail.length) out.push(...trail, "");
  if (!report.findings.length) out.push("Nothing in scope: no infrastructure role, service or task was found to check.", "");
  out.push(
    `${c.bold("Summary")}  ${c.red(`${summary.fail} fail`)} · ${c.magenta(`${summary.unknown} unknown`)} · ${c.yellow(`${summary.warn} warn`)} · ${c.green(`${summary.pass} pass`)}${summary.suppressed ? ` · ${summary.suppressed} suppressed` : ""}  ${c.dim(`in ${(report.durationMs / 1000).toFixed(1)} s`)}`,
  );
  out.push(exitSentence(report));
  return `${out.join("\n")}\n`;
}
