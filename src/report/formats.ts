import type { Rule } from "../engine/rule.ts";
import type { Report } from "./types.ts";

/**
 * The report formats and the shape of a formatter, without any formatter: what the CLI's flags need before a command
 * runs (./formatter.ts loads the one a run writes).
 */
export const FORMATS = ["text", "json", "junit", "sarif", "markdown"] as const;
export type Format = (typeof FORMATS)[number];

export interface FormatOptions {
  color: boolean;
  rules: readonly Rule[];
  /** The input that describes the change (plan, else config), relative to the repository (SARIF). */
  changeFile?: string;
  changeText?: string;
}

/** One format's formatter: a report as the text of that format. */
export type Formatter = (report: Report, options: FormatOptions) => string;
