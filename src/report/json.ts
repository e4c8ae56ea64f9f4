import type { Formatter } from "./formats.ts";
import type { Report } from "./types.ts";

/** The JSON report, pretty-printed; its shape is schema/report.schema.json. */
export function formatJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** The report as JSON, as a formatter of the CLI (./formatter.ts) and the library (./index.ts). */
export const jsonFormatter: Formatter = (report) => formatJson(report);
