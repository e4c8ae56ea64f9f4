import { writeFile } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";
import { InvalidArgumentError } from "commander";
import { InputError } from "../errors.ts";
import { FORMATS, type Format } from "../report/formats.ts";

/** One `--report FORMAT=FILE`: a further format written from the same run. */
export interface ReportFile {
  format: Format;
  file: string;
}

/** The parser of a repeatable `--report FORMAT=FILE`; a bad format or an empty file is a usage error (exit 2). */
export function reportFileArg(value: string, previous: ReportFile[] = []): ReportFile[] {
  const at = value.indexOf("=");
  const format = at < 0 ? value : value.slice(0, at);
  const file = at < 0 ? "" : value.slice(at + 1);
  if (!(FORMATS as readonly string[]).includes(format))
    throw new InvalidArgumentError(
      `expected FORMAT=FILE with FORMAT one of ${FORMATS.join(", ")}, got "${value}"`,
    );
  if (!file) throw new InvalidArgumentError(`expected FORMAT=FILE, got "${value}" (no file)`);
  return [...previous, { format: format as Format, file }];
}

/** Two outputs naming one file would overwrite each other: refused before any AWS call. */
export function checkDistinctFiles(output: string | undefined, reports: readonly ReportFile[]): void {
  const seen = new Map<string, string>();
  const named = [
    ...(output ? [{ flag: `--output ${output}`, file: output }] : []),
    ...reports.map((r) => ({ flag: `--report ${r.format}=${r.file}`, file: r.file })),
  ];
  for (const { flag, file } of named) {
    // <account> and {account} (and the Region's) are one name once filled in (./report-output.ts).
    const key = resolve(file.replace(/\{(account|region)\}/g, "<$1>"));
    const earlier = seen.get(key);
    if (earlier) throw new InputError(`${flag}: the same file as ${earlier}; give each report its own file`);
    seen.set(key, flag);
  }
}

/** Writes every report file it can, and says which were written and which failed (naming the flag and why). */
export async function writeReportFiles(
  files: readonly { flag: string; file: string; text: string }[],
): Promise<{ written: string[]; failures: string[] }> {
  const failures: string[] = [];
  const written: string[] = [];
  for (const { flag, file, text } of files) {
    try {
      await writeFile(file, text);
      written.push(file);
    } catch (err) {
      failures.push(
        `${flag}: cannot write the report (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      );
    }
  }
  return { written, failures };
}

/**
 * The input that describes the change (the template a change set's stack comes from, else the plan or change set
 * file, else the config), as a path relative to the repository:
 * SARIF results point at it. The repository is GITHUB_WORKSPACE in GitHub Actions, else the working directory; a
 * file outside it has no repository path, and results then name the account, Region and resource instead.
 */
export function changeFileOf(
  flags: { plan?: string; template?: string; config?: string },
  env: NodeJS.ProcessEnv,
): string | undefined {
  const file = flags.template ?? flags.plan ?? flags.config;
  if (!file) return undefined;
  const root = env.GITHUB_WORKSPACE || process.cwd();
  const path = relative(root, resolve(file));
  if (!path || path.startsWith("..") || isAbsolute(path)) return undefined;
  return path.split("\\").join("/");
}
