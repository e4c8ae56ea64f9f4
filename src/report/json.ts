import type { Report } from "./types.ts";

/** The JSON report, pretty-printed; its shape is schema/report.schema.json. */
export function formatJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
