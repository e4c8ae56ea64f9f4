import { rules as allRules } from "../../rules/index.ts";
import type { AwsSettings } from "../collect/clients.ts";
import { mapLimit } from "../collect/concurrency.ts";
import type { Finding } from "../engine/finding.ts";
import { UndecidedError } from "../errors.ts";
import type { FactError } from "../facts/types.ts";
import { combineParts, sumCalls, type TargetPart } from "../report/combine.ts";
import type { Report } from "../report/types.ts";
import {
  DEFAULT_TARGET_CONCURRENCY,
  listTargets,
  type Target,
  type TargetFlags,
} from "../targets/account-regions.ts";
import { VERSION } from "../version.ts";
import { readChangeStep, refuseOtherRegion } from "./change-step.ts";
import { type CheckOptions, check } from "./check.ts";
import { regionsUnreadFinding, TARGET_ACCESS_RULE, uncheckedPart } from "./target-access.ts";

/**
 * The check over many account-Regions: resolve the targets (flags, the organisation, the enabled Regions), then run
 * the one pipeline (./check.ts) per target, `concurrency` at a time, each with its own clients, credentials and
 * CloudTrail pacer (collect builds them per run). A target that cannot be reached is unknown, never skipped.
 */

export { TARGET_ACCESS_RULE };

export interface TargetsCheckOptions extends Omit<CheckOptions, "aws" | "facts" | "snapshot"> {
  /** The caller's settings: its Region is the default target Region and where STS and Organizations are called. */
  aws: AwsSettings;
  targets: TargetFlags;
  /** For tests: renewal is measured on this clock. */
  now?: () => number;
}

type TargetReads = typeof import("../collect/targets.ts");
type FactErrorOf = typeof import("../collect/fact.ts")["toFactError"];

/** The caller's enabled Regions, for --all-regions: every unread account's fallback, so never empty. */
async function callerRegions(aws: AwsSettings, reads: TargetReads, toFactError: FactErrorOf) {
  const own = await reads.enabledRegions(aws).catch((err) => {
    const e = toFactError("ec2:DescribeRegions", err);
    throw new UndecidedError(
      `cannot list the caller's enabled Regions for --all-regions: ${e.api} failed with ${e.code}: ${e.message} (name them with --regions)`,
    );
  });
  // Empty, an account whose own list could not be read would have no target at all.
  if (!own.length)
    throw new UndecidedError(
      "cannot list the caller's enabled Regions for --all-regions: ec2:DescribeRegions listed none (name them with --regions)",
    );
  return own;
}

/**
 * One member account's own opt-in Regions, through its role. One that cannot be reached, or whose Regions cannot
 * be listed, gets the caller's list and says why (`unread`): its targets fail closed, and its other Regions are unknown.
 */
async function memberRegions(
  aws: AwsSettings,
  roleArn: string,
  own: readonly string[],
  options: { reads: TargetReads; toFactError: FactErrorOf; externalId?: string; now?: () => number },
): Promise<{ regions: readonly string[]; unread?: FactError }> {
  const { reads, toFactError } = options;
  const credentials = reads.assumedRoleCredentials(aws, {
    roleArn,
    ...(options.externalId ? { externalId: options.externalId } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  try {
    const unreached = await credentials().then(
      () => undefined,
      (err) => toFactError("sts:AssumeRole", err),
    );
    if (unreached) return { regions: own, unread: unreached };
    return await reads.enabledRegions({ ...aws, credentials }).then(
      (listed) =>
        listed.length
          ? { regions: listed }
          : {
              regions: own,
              unread: {
                api: "ec2:DescribeRegions",
                code: "EmptyAnswer",
                message: "DescribeRegions listed no enabled Region",
              },
            },
      (err) => ({ regions: own, unread: toFactError("ec2:DescribeRegions", err) }),
    );
  } finally {
    credentials.destroy();
  }
}

/** The account-Regions the flags name, asking AWS for the organisation's accounts and enabled Regions when told to. */
export async function resolveTargets(
  aws: AwsSettings,
  flags: TargetFlags,
  now?: () => number,
): Promise<Target[]> {
  const reads = await import("../collect/targets.ts");
  const { toFactError } = await import("../collect/fact.ts");
  const caller = await reads.callerAccount(aws);
  const accounts = flags.allAccounts
    ? await reads.organizationAccounts(aws)
    : flags.accounts?.length
      ? flags.accounts
      : [caller.account];
  const regionsByAccount = new Map<string, readonly string[]>();
  const regionsUnread = new Map<string, FactError>();
  if (flags.allRegions) {
    const own = await callerRegions(aws, reads, toFactError);
    await mapLimit(accounts, flags.concurrency ?? DEFAULT_TARGET_CONCURRENCY, async (account) => {
      if (account === caller.account || !flags.assumeRole) return regionsByAccount.set(account, own);
      const roleArn = `arn:${caller.partition}:iam::${account}:role/${flags.assumeRole}`;
      const { regions, unread } = await memberRegions(aws, roleArn, own, {
        reads,
        toFactError,
        ...(flags.externalId ? { externalId: flags.externalId } : {}),
        ...(now ? { now } : {}),
      });
      regionsByAccount.set(account, regions);
      if (unread) regionsUnread.set(account, unread);
    });
  }
  const targets = listTargets({
    accounts,
    regionsOf: (account) => regionsByAccount.get(account) ?? flags.regions ?? [aws.region],
    callerAccount: caller.account,
    partition: caller.partition,
    ...(flags.assumeRole ? { assumeRole: flags.assumeRole } : {}),
  });
  // Nothing to check is not a pass (nor, for `targets`, an empty fan-out that merges nothing).
  if (!targets.length)
    throw new UndecidedError(
      "the target flags name no account-Region to check (no ACTIVE account, or no enabled Region?)",
    );
  // The account's first target says that its Regions beyond these could not be listed.
  for (const [account, error] of regionsUnread) {
    const first = targets.find((t) => t.account === account);
    if (first) first.regionsUnread = error;
  }
  return targets;
}

/** Tags each finding with where it was found. */
function tagged(findings: readonly Finding[], target: Target): Finding[] {
  return findings.map((f) => ({ ...f, account: target.account, region: target.region }));
}

/** The part for a target whose role could not be assumed: one unknown finding naming account, Region, role and error. */
function unreachable(target: Target, error: FactError, ms: number): TargetPart {
  const role = target.roleArn ?? "(own credentials)";
  const finding: Finding = {
    rule: TARGET_ACCESS_RULE,
    status: "unknown",
    resource: role,
    message: `Could not check account ${target.account} in ${target.region}: ${error.api} of ${role} failed with ${error.code}: ${error.message}`,
    details: { account: target.account, region: target.region, role, ...error },
    remediation: [
      `# In account ${target.account} the role must exist and trust the caller (deploy/org-audit.yaml's StackSet creates it):`,
      `aws iam get-role --role-name ${role.slice(role.lastIndexOf("/") + 1)} --query Role.AssumeRolePolicyDocument`,
      "# Its trust must allow sts:AssumeRole to the caller's account (or ARN), with sts:ExternalId equal to --external-id;",
      `# the caller needs sts:AssumeRole on ${role}.`,
    ].join("\n"),
    account: target.account,
    region: target.region,
  };
  return uncheckedPart(target, error, finding, ms);
}

/**
 * pass-role judges who deploys in each target: by default the createdBy of that account's services (per target,
 * never the audit role the tool reached it through). A --principal names one account's role or user: each target
 * judges the --principal ARNs of its own account, and where none is of its account pass-role is off there (an IAM
 * principal of another account cannot be read through this account's credentials).
 */
function collectFor(target: Target, collect: CheckOptions["collect"]): CheckOptions["collect"] {
  const { principals, ...others } = collect ?? {};
  if (!principals?.length) return others;
  const own = principals.filter((arn) => arn.split(":")[4] === target.account);
  return own.length ? { ...others, principals: own } : { ...others, passRole: false };
}

async function checkOne(target: Target, options: TargetsCheckOptions): Promise<TargetPart> {
  const part = await checkReachable(target, options);
  // A target whose role cannot be assumed is unknown already, for the same reason.
  if (!target.regionsUnread || part.target.error) return part;
  const findings = [...part.findings, regionsUnreadFinding(target, target.regionsUnread)];
  // combineParts recomputes the target's verdict, exit code and summary from its findings.
  return { ...part, findings };
}

async function checkReachable(target: Target, options: TargetsCheckOptions): Promise<TargetPart> {
  const started = Date.now();
  const { aws, targets: flags, now, ...rest } = options;
  // Each target is paced under its own account-Region's limits (api-pacing.ts, CloudTrail's pacer).
  let settings: AwsSettings = {
    ...aws,
    region: target.region,
    paceKey: `${target.account}/${target.region}`,
  };
  let session: { destroy(): void } | undefined;
  if (target.roleArn) {
    const { assumedRoleCredentials } = await import("../collect/targets.ts");
    const { toFactError } = await import("../collect/fact.ts");
    const credentials = assumedRoleCredentials(aws, {
      roleArn: target.roleArn,
      ...(flags.externalId ? { externalId: flags.externalId } : {}),
      ...(now ? { now } : {}),
    });
    session = credentials;
    try {
      await credentials();
    } catch (err) {
      credentials.destroy();
      options.log?.warn(
        { account: target.account, region: target.region, role: target.roleArn, err: String(err) },
        "cannot assume the target's role: the target is unknown",
      );
      return unreachable(target, toFactError("sts:AssumeRole", err), Date.now() - started);
    }
    settings = { ...settings, credentials };
  }
  const log = options.log?.child({ account: target.account, region: target.region });
  const report = await check({
    ...rest,
    aws: settings,
    collect: collectFor(target, rest.collect),
    ...(log ? { log } : {}),
  }).finally(() => session?.destroy());
  return {
    target: {
      account: target.account,
      region: target.region,
      verdict: report.verdict,
      exitCode: report.exitCode,
      summary: report.summary,
      ...(target.roleArn ? { roleArn: target.roleArn } : {}),
      durationMs: report.durationMs,
      trail: report.trail,
      ...(report.aws ? { aws: report.aws } : {}),
    },
    findings: tagged(report.findings, target),
  };
}

/** The whole check over targets: one report, its verdict the worst target's. */
export async function checkTargets(given: TargetsCheckOptions): Promise<Report> {
  const startedAt = new Date();
  // The fan-out's own calls (the organisation, the Regions, AssumeRole and its renewals); each target counts its own.
  const { CallCounter } = await import("../collect/call-counter.ts");
  const own = new CallCounter();
  const options = { ...given, aws: { ...given.aws, calls: own } };
  const targets = await resolveTargets(options.aws, options.targets, options.now);
  const regions = [...new Set(targets.map((t) => t.region))];
  // A change set's own Region must be among the targets' (each then judges its role changes: IAM is global).
  if (options.plan) refuseOtherRegion((await readChangeStep({ plan: options.plan })).changes, regions);
  options.log?.info({ targets: targets.length }, "checking targets");
  const perTarget = options.plan ? { ...options, changeRegions: regions } : options;
  const parts = await mapLimit(targets, options.targets.concurrency ?? DEFAULT_TARGET_CONCURRENCY, (target) =>
    checkOne(target, perTarget),
  );
  const failOn = options.failOn ?? options.config?.failOn ?? "fail";
  const report = combineParts(parts, {
    failOn,
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
    rules: options.rules ?? allRules,
    base: {
      tool: { name: "ecs-preflight", version: VERSION },
      scope: { ...options.scope, source: "aws" },
      collectedAt: startedAt.toISOString(),
    },
  });
  return { ...report, aws: sumCalls([report.aws, own.totals()]) };
}
