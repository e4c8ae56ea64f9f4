import type { Rule } from "../engine/rule.ts";
import { formatJson } from "./json.ts";
import { formatJunit } from "./junit.ts";
import { formatMarkdown } from "./markdown.ts";
import { formatSarif } from "./sarif.ts";
import { formatTargetsMarkdown, formatTargetsText } from "./targets-view.ts";
import { formatText } from "./text.ts";
import type { Report } from "./types.ts";

export const FORMATS = ["text", "json", "junit", "sarif", "markdown"] as const;
export type Format = (typeof FORMATS)[number];

export function formatReport(
  report: Report,
  format: Format,
  /** `changeFile`: the input that describes the change (plan, else config), relative to the repository (SARIF). */
  options: { color: boolean; rules: readonly Rule[]; changeFile?: string; changeText?: string },
): string {
  if (report.targets && (format === "text" || format === "markdown"))
    return format === "text"
      ? formatTargetsText(report, { color: options.color, rules: options.rules })
      : formatTargetsMarkdown(report, options.rules);
  switch (format) {
    case "json":
      return formatJson(report);
    case "junit":
      return formatJunit(report, options.rules);
    case "sarif":
      return formatSarif(report, {
        rules: options.rules,
        ...(options.changeFile ? { changeFile: options.changeFile } : {}),
        ...(options.changeText ? { changeText: options.changeText } : {}),
      });
    case "markdown":
      return formatMarkdown(report, options.rules);
    default:
      return formatText(report, { color: options.color, rules: options.rules });
  }
}
