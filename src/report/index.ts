import type { Format, FormatOptions } from "./formats.ts";
import { formatJson } from "./json.ts";
import { formatJunit } from "./junit.ts";
import { formatMarkdown } from "./markdown.ts";
import { formatSarif } from "./sarif.ts";
import { formatTargetsMarkdown, formatTargetsText } from "./targets-view.ts";
import { formatText } from "./text.ts";
import type { Report } from "./types.ts";

export { FORMATS, type Format, type FormatOptions, type Formatter } from "./formats.ts";

/**
 * A report in any format, every formatter loaded (the library's entry). The CLI loads only the one it writes
 * (./formatter.ts: the same output, a test keeps them in step).
 */
export function formatReport(report: Report, format: Format, options: FormatOptions): string {
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
