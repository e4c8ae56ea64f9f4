import type { Finding } from "../engine/finding.ts";
import type { FactError } from "../facts/types.ts";
import type { TargetPart } from "../report/combine.ts";
import type { Target } from "../targets/account-regions.ts";

/**
 * The rule id of the finding for a target that could not be checked at all (its role could not be assumed, its
 * session expired, or, in merge --expect, its run left no report). Not a rule of rules/: it is about reaching the
 * account-Region, not about what is in it; the pipeline and merge set it, never the engine.
 */
export const TARGET_ACCESS_RULE = "target-access";

/** The finding for an account whose enabled Regions could not be listed: Regions beyond the caller's are unchecked. */
export function regionsUnreadFinding(target: Target, error: FactError): Finding {
  return {
    rule: TARGET_ACCESS_RULE,
    status: "unknown",
    resource: `${target.account}/enabled-regions`,
    message: `Could not list the enabled Regions of account ${target.account}: ${error.api} failed with ${error.code}: ${error.message}. Only the caller's Regions were checked there; any other Region it has enabled is unchecked.`,
    details: { account: target.account, region: target.region, ...error },
    remediation: [
      `# The audit role in account ${target.account} needs ec2:DescribeRegions (docs/iam-policy.json), or name the Regions:`,
      `ecs-preflight check --accounts ${target.account} --regions REGION,... --assume-role NAME`,
    ].join("\n"),
    account: target.account,
    region: target.region,
  };
}

/** The part of a report for a target that could not be checked at all: unknown, with its one finding. */
export function uncheckedPart(
  target: Target,
  error: FactError,
  finding: Finding,
  durationMs: number,
): TargetPart {
  return {
    target: {
      account: target.account,
      region: target.region,
      verdict: "unknown",
      exitCode: 3,
      summary: { pass: 0, warn: 0, fail: 0, unknown: 1, skipped: 0, suppressed: 0 },
      ...(target.roleArn ? { roleArn: target.roleArn } : {}),
      durationMs,
      error,
      trail: {},
    },
    findings: [finding],
  };
}
