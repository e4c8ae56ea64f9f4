import { createHash } from "node:crypto";
import type { Finding } from "../engine/finding.ts";
import type { ChangeLocation } from "../facts/types.ts";
import type { Report } from "./types.ts";

/**
 * Where a SARIF result points. GitHub code scanning rejects a result without a physical location ("expected
 * artifact location") and any URI that is not a relative path or file:, so each result names a repository-relative
 * file: the input that describes the change (the template a change set's stack comes from, else the Terraform plan
 * or change set file, else the config) when the run had one, otherwise a path that names what was checked:
 * aws/<account>/<region>/<service>/<resource path>. A result about a planned change also names where the change is
 * written (a Terraform address, a stack's logical id), and the line of the change file that holds it.
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

const isLocation = (v: unknown): v is ChangeLocation =>
  typeof v === "object" &&
  v !== null &&
  ((v as ChangeLocation).format === "terraform" || (v as ChangeLocation).format === "cloudformation");

/** Where the change a finding is about is written: its details' first change (or its one change), when it has one. */
export function changeLocationOf(f: Pick<Finding, "details">): ChangeLocation | undefined {
  const d = f.details as { changes?: { location?: unknown }[]; change?: { location?: unknown } } | undefined;
  const location = d?.changes?.[0]?.location ?? d?.change?.location;
  return isLocation(location) ? location : undefined;
}

/** The location as one name: the Terraform address, or STACK/LogicalId. */
export function changeLocationName(location: ChangeLocation): string {
  return location.format === "terraform" ? location.address : `${location.stack}/${location.logicalId}`;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The 1-based line of the change file where the change is written: a template's `LogicalId:` key (YAML or JSON),
 * a change set file's LogicalResourceId, a plan's resource address; 1 when it is not found.
 */
export function changeLine(text: string | undefined, location: ChangeLocation | undefined): number {
  if (!text || !location) return 1;
  const patterns =
    location.format === "terraform"
      ? [new RegExp(`"address":\\s*${escapeRegExp(JSON.stringify(location.address))}`)]
      : [
          new RegExp(`^\\s*"?${escapeRegExp(location.logicalId)}"?\\s*:\\s*(\\{|$)`),
          new RegExp(`"LogicalResourceId":\\s*"${escapeRegExp(location.logicalId)}"`),
        ];
  const lines = text.split("\n");
  for (const pattern of patterns) {
    const i = lines.findIndex((line) => pattern.test(line));
    if (i >= 0) return i + 1;
  }
  return 1;
}

/**
 * The fingerprint that keeps an alert one alert across runs: the rule and the resource, never the message (which
 * carries times and counts that change every run).
 */
export function resultFingerprint(finding: Pick<Finding, "rule" | "resource">): string {
  return createHash("sha256").update(`${finding.rule}\n${finding.resource}`).digest("hex").slice(0, 32);
}
