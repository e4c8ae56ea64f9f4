import { createHash } from "node:crypto";
import type { Finding } from "../engine/finding.ts";
import type { Report } from "./types.ts";

/**
 * Where a SARIF result points. GitHub code scanning rejects a result without a physical location ("expected
 * artifact location") and any URI that is not a relative path or file:, so each result names a repository-relative
 * file: the input that describes the change (a Terraform plan, else the config) when the run had one, otherwise a
 * path that names what was checked: aws/<account>/<region>/<service>/<resource path>.
 */

const ARN = /^arn:[^:]+:([^:]+):[^:]*:[^:]*:(.+)$/;

/** A relative URI from path segments: each segment percent-encoded, joined with "/". */
function relativeUri(segments: readonly string[]): string {
  return segments
    .filter((s) => s !== "" && s !== "." && s !== "..")
    .map((s) => encodeURIComponent(s))
    .join("/");
}

/** `changeFile` is a path relative to the repository root; backslashes (Windows) count as separators. */
export function changeFileUri(changeFile: string): string {
  return relativeUri(changeFile.split(/[\\/]/));
}

/** The path that stands for a resource checked in AWS: aws/<account>/<region>/iam/role/<name>, …/ecs/task/… */
export function resourceUri(
  finding: Finding & { account?: string | null; region?: string },
  report: Pick<Report, "account" | "region">,
): string {
  const account = finding.account ?? report.account ?? "unknown-account";
  const region = finding.region ?? report.region ?? "unknown-region";
  const arn = ARN.exec(finding.resource);
  const path = arn ? [arn[1] ?? "aws", ...(arn[2] ?? "").split(/[/:]/)] : ["resource", finding.resource];
  return relativeUri(["aws", account, region, ...path]);
}

/**
 * The fingerprint that keeps an alert one alert across runs: the rule and the resource, never the message (which
 * carries times and counts that change every run).
 */
export function resultFingerprint(finding: Pick<Finding, "rule" | "resource">): string {
  return createHash("sha256").update(`${finding.rule}\n${finding.resource}`).digest("hex").slice(0, 32);
}
