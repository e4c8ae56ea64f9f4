import type { Format, Formatter } from "./formats.ts";
import type { Report } from "./types.ts";

/**
 * The formatter of one format, loaded alone: writing text loads no SARIF, JUnit or Markdown code, and the other way
 * round. A report over targets is shown per target in text and Markdown (./targets-view.ts). The output is
 * formatReport's (./index.ts), which loads them all.
 */
export async function formatterFor(format: Format, report: Pick<Report, "targets">): Promise<Formatter> {
  if (report.targets && (format === "text" || format === "markdown")) {
    const { formatTargetsMarkdown, formatTargetsText } = await import("./targets-view.ts");
    return format === "text"
      ? (r, o) => formatTargetsText(r, { color: o.color, rules: o.rules })
      : (r, o) => formatTargetsMarkdown(r, o.rules);
  }
  switch (format) {
    case "json": {
      const { formatJson } = await import("./json.ts");
      return (r) => formatJson(r);
    }
    case "junit": {
      const { formatJunit } = await import("./junit.ts");
      return (r, o) => formatJunit(r, o.rules);
    }
    case "sarif": {
      const { formatSarif } = await import("./sarif.ts");
      return (r, o) =>
        formatSarif(r, {
          rules: o.rules,
          ...(o.changeFile ? { changeFile: o.changeFile } : {}),
          ...(o.changeText ? { changeText: o.changeText } : {}),
        });
    }
    case "markdown": {
      const { formatMarkdown } = await import("./markdown.ts");
      return (r, o) => formatMarkdown(r, o.rules);
    }
    default: {
      const { formatText } = await import("./text.ts");
      return (r, o) => formatText(r, { color: o.color, rules: o.rules });
    }
  }
}
