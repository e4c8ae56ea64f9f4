import { type Format, type Formatter, perTarget } from "./formats.ts";
import type { Report } from "./types.ts";

/** Each format's module, loaded alone: writing text loads no SARIF, JUnit or Markdown code, and the other way round. */
const LOADERS: Record<Format, () => Promise<Formatter>> = {
  text: async () => (await import("./text.ts")).textFormatter,
  json: async () => (await import("./json.ts")).jsonFormatter,
  junit: async () => (await import("./junit.ts")).junitFormatter,
  sarif: async () => (await import("./sarif.ts")).sarifFormatter,
  markdown: async () => (await import("./markdown.ts")).markdownFormatter,
};

/**
 * The formatter of one format, as the CLI loads it; the library's formatReport (./index.ts) holds the same formatters
 * loaded at once. A report over targets is shown per target in text and Markdown (./targets-view.ts).
 */
export async function formatterFor(format: Format, report: Pick<Report, "targets">): Promise<Formatter> {
  if (perTarget(report, format)) return (await import("./targets-view.ts")).targetsFormatters[format];
  return LOADERS[format]();
}
