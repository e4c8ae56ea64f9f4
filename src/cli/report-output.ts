import { writeFile } from "node:fs/promises";
import { InputError, UndecidedError } from "../errors.ts";
import type { Format } from "../report/formats.ts";
import type { Report } from "../report/types.ts";
import { type AwsFlags, resolveAwsSettings } from "./aws-settings.ts";
import type { Io } from "./io.ts";

/**
 * Where `--output` sends a report: a file or `s3://bucket/key`. `<account>`/`<region>` (or `{account}`/`{region}`)
 * in the name become the report's account and Region, so a fan-out's tasks each write their own object.
 */

const CONTENT_TYPES: Record<Format, string> = {
  json: "application/json",
  sarif: "application/sarif+json",
  junit: "application/xml",
  markdown: "text/markdown; charset=utf-8",
  text: "text/plain; charset=utf-8",
};

export function outputName(
  output: string,
  report: Pick<Report, "account" | "region"> & { targets?: unknown },
): string {
  const fill = (name: "account" | "region") => {
    const value = report[name];
    // A run of one account that could not learn it (sts:GetCallerIdentity failed) is undecided, not a usage error.
    if (value === null && !report.targets)
      throw new UndecidedError(
        `${output}: <${name}> is unknown: the run could not learn its account (sts:GetCallerIdentity failed), so the report was not written; fix the credentials or name the file without <account>`,
      );
    if (value === null)
      throw new InputError(
        `--output ${output}: <${name}> needs a report of one ${name === "account" ? "account" : "Region"}, this one spans several`,
      );
    return value;
  };
  return output
    .replace(/<account>|\{account\}/g, () => fill("account"))
    .replace(/<region>|\{region\}/g, () => fill("region"));
}

export async function writeReport(
  output: string,
  text: string,
  report: Pick<Report, "account" | "region">,
  format: Format,
  flags: AwsFlags,
  io: Io,
): Promise<string> {
  const name = outputName(output, report);
  if (name.startsWith("s3://")) {
    const { parseS3Url, putReport } = await import("../collect/s3.ts");
    const at = parseS3Url(name);
    if (!at?.key || at.key.endsWith("/"))
      throw new InputError(
        `--output ${output}: expected s3://bucket/key, e.g. s3://reports/ecs/<account>-<region>.json`,
      );
    const aws = await resolveAwsSettings(flags, io.env, io.aws);
    try {
      await putReport(aws, at, text, CONTENT_TYPES[format]);
    } catch (err) {
      const e = err as { name?: string; message?: string };
      // The check ran, but its report is lost: the run did not do its job, so it cannot pass.
      throw new UndecidedError(
        `--output ${name}: s3:PutObject failed with ${e.name ?? "Error"}: ${e.message ?? String(err)} (the caller needs s3:PutObject on arn:aws:s3:::${at.bucket}/${at.key})`,
      );
    }
    return name;
  }
  try {
    await writeFile(name, text);
  } catch (err) {
    throw new InputError(
      `--output ${name}: cannot write the report (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  return name;
}
