import pc from "picocolors";
import type { Rule } from "../engine/rule.ts";
import type { Verdict } from "../engine/status.ts";
import { totalsOf } from "../engine/totals.ts";
import type { Formatter, PER_TARGET } from "./formats.ts";
import { headlineOf } from "./headline.ts";
import { formatMarkdown } from "./markdown.ts";
import { formatText } from "./text.ts";
import type { Report, TargetResult } from "./types.ts";

/**
 * A report over several account-Regions for a person: the targets table first (worst first), then each target's
 * findings as the single-target formatters render them, one section per target.
 */

const LABEL: Record<Verdict, string> = { fail: "FAIL", unknown: "UNKNOWN", warn: "WARN", pass: "PASS" };
const ICON: Record<Verdict, string> = { fail: "❌", unknown: "❓", warn: "⚠️", pass: "✅" };

/** The single-target report of one target, for the single-target formatters (its totals by the rules). */
export function targetReport(report: Report, target: TargetResult, rules: readonly Rule[]): Report {
  const { targets: _targets, leakedVolumes: _total, concerns: _concerns, ...rest } = report;
  const findings = report.findings.filter((f) => f.account === target.account && f.region === target.region);
  const { leakedVolumes } = totalsOf(rules, findings);
  return {
    ...rest,
    ...(leakedVolumes ? { leakedVolumes } : {}),
    ...(target.concerns ? { concerns: target.concerns } : {}),
    account: target.account,
    region: target.region,
    verdict: target.verdict,
    exitCode: target.exitCode,
    summary: target.summary,
    durationMs: target.durationMs,
    findings,
    trail: target.trail,
  };
}

const counts = (t: TargetResult) =>
  `${t.summary.fail} fail · ${t.summary.unknown} unknown · ${t.summary.warn} warn · ${t.summary.pass} pass${t.summary.skipped ? ` · ${t.summary.skipped} skipped` : ""}`;

export function formatTargetsText(
  report: Report,
  options: { color: boolean; rules: readonly Rule[] },
): string {
  const c = pc.createColors(options.color);
  const targets = report.targets ?? [];
  const paint = (s: Verdict, text: string) =>
    s === "fail"
      ? c.red(text)
      : s === "unknown"
        ? c.magenta(text)
        : s === "warn"
          ? c.yellow(text)
          : c.green(text);
  const out = [
    `${c.bold(paint(report.verdict, LABEL[report.verdict]))}  ${c.bold(`ecs-preflight: ${targets.length} account-Region${targets.length === 1 ? "" : "s"}: ${headlineOf(report.concerns, report.verdict, report.findings, options.rules)}`)}`,
    "",
  ];
  const accountWidth = Math.max(7, ...targets.map((t) => t.account.length));
  const regionWidth = Math.max(6, ...targets.map((t) => t.region.length));
  out.push(
    c.dim(
      `${"Verdict".padEnd(8)} ${"Account".padEnd(accountWidth)} ${"Region".padEnd(regionWidth)} Findings`,
    ),
  );
  for (const t of targets) {
    // The whole message is in the target's section below: the table names the call and the code.
    const error = t.error ? `  ${c.magenta(`${t.error.api} ${t.error.code}`)}` : "";
    out.push(
      `${paint(t.verdict, LABEL[t.verdict].padEnd(8))} ${t.account.padEnd(accountWidth)} ${t.region.padEnd(regionWidth)} ${counts(t)}${error}`,
    );
  }
  out.push("");
  for (const t of targets) {
    out.push(c.bold(`── account ${t.account} · ${t.region} ${"─".repeat(20)}`));
    out.push(formatText(targetReport(report, t, options.rules), options).trimEnd(), "");
  }
  const s = report.summary;
  out.push(
    `${c.bold("All targets")}  ${s.fail} fail · ${s.unknown} unknown · ${s.warn} warn · ${s.pass} pass${s.skipped ? ` · ${s.skipped} skipped` : ""}${s.suppressed ? ` · ${s.suppressed} suppressed` : ""}  ${c.dim(`in ${(report.durationMs / 1000).toFixed(1)} s`)}`,
    `exit ${report.exitCode}: the worst target's verdict is ${report.verdict}.`,
  );
  return `${out.join("\n")}\n`;
}

export function formatTargetsMarkdown(report: Report, rules: readonly Rule[]): string {
  const targets = report.targets ?? [];
  const out = [
    `## ${ICON[report.verdict]} ecs-preflight: ${report.verdict.toUpperCase()} across ${targets.length} account-Region${targets.length === 1 ? "" : "s"}: ${headlineOf(report.concerns, report.verdict, report.findings, rules)}`,
    "",
    "| Verdict | Account | Region | Fail | Unknown | Warn | Pass | Error |",
    "|---|---|---|---|---|---|---|---|",
    ...targets.map(
      (t) =>
        `| ${ICON[t.verdict]} ${t.verdict} | \`${t.account}\` | \`${t.region}\` | ${t.summary.fail} | ${t.summary.unknown} | ${t.summary.warn} | ${t.summary.pass} | ${t.error ? `${t.error.code}: ${t.error.message}`.replace(/\|/g, "\\|") : ""} |`,
    ),
    "",
    `Exit code ${report.exitCode}.`,
    "",
  ];
  for (const t of targets) {
    // Each target's own section, one heading level down.
    out.push(
      formatMarkdown(targetReport(report, t, rules), rules)
        .replace(/^(#+) /gm, "#$1 ")
        .trimEnd(),
      "",
    );
  }
  return `${out.join("\n").trimEnd()}\n`;
}

/** A report over targets, per target, in the formats that show one (formats.ts's PER_TARGET). */
export const targetsFormatters: Record<(typeof PER_TARGET)[number], Formatter> = {
  text: (report, options) => formatTargetsText(report, { color: options.color, rules: options.rules }),
  markdown: (report, options) => formatTargetsMarkdown(report, options.rules),
};
