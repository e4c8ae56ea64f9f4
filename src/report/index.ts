import { type Format, type FormatOptions, type Formatter, perTarget } from "./formats.ts";
import { jsonFormatter } from "./json.ts";
import { junitFormatter } from "./junit.ts";
import { markdownFormatter } from "./markdown.ts";
import { sarifFormatter } from "./sarif.ts";
import { targetsFormatters } from "./targets-view.ts";
import { textFormatter } from "./text.ts";
import type { Report } from "./types.ts";

export { FORMATS, type Format, type FormatOptions, type Formatter } from "./formats.ts";

const FORMATTERS: Record<Format, Formatter> = {
  text: textFormatter,
  json: jsonFormatter,
  junit: junitFormatter,
  sarif: sarifFormatter,
  markdown: markdownFormatter,
};

/**
 * A report in any format, every formatter loaded (the library's entry). The CLI loads only the one it writes
 * (./formatter.ts: the same formatters, one module at a time).
 */
export function formatReport(report: Report, format: Format, options: FormatOptions): string {
  return (perTarget(report, format) ? targetsFormatters[format] : FORMATTERS[format])(report, options);
}
