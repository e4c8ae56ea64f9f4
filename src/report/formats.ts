import type { Rule } from "../engine/rule.ts";
import type { Report } from "./types.ts";

/**
 * The report formats and the shape of a formatter, without any formatter: what the CLI's flags need before a command
 * runs (./formatter.ts loads the one a run writes).
 */
export const FORMATS = ["text", "json", "junit", "sarif", "markdown"] as const;
export type Format = (typeof FORMATS)[number];

/** The formats that show a report over targets per target (./targets-view.ts); the others show the report as is. */
export const PER_TARGET = ["text", "markdown"] as const;

/** Whether a report is shown per target in this format. */
export function perTarget(
  report: Pick<Report, "targets">,
  format: Format,
): format is (typeof PER_TARGET)[number] {
  return Boolean(report.targets) && (PER_TARGET as readonly string[]).includes(format);
}

export interface FormatOptions {
  color: boolean;
  rules: readonly Rule[];
  /** The input that describes the change (plan, else config), relative to the repository (SARIF). */
  changeFile?: string;
  changeText?: string;
}

/** One format's formatter: a report as the text of that format. */
export type Formatter = (report: Report, options: FormatOptions) => string;
