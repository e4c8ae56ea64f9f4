import { InputError } from "../errors.ts";
import type { FactError } from "../facts/types.ts";

/**
 * Which account-Regions a run checks, from the target flags: pure, so every usage error is raised before any AWS call.
 * AWS answers the lists (--all-accounts, --all-regions) in src/collect/targets.ts.
 */

export interface TargetFlags {
  accounts?: string[];
  allAccounts?: boolean;
  regions?: string[];
  allRegions?: boolean;
  assumeRole?: string;
  externalId?: string;
  concurrency?: number;
}

/** One account-Region to check; `roleArn` when the caller's credentials must assume a role there. */
export interface Target {
  account: string;
  region: string;
  roleArn?: string;
  /** --all-regions: the account's enabled Regions could not be listed (on its first target only). */
  regionsUnread?: FactError;
}

export const DEFAULT_TARGET_CONCURRENCY = 8;

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** IAM role names (and an optional path before them): letters, digits and +=,.@_- . */
const ROLE_NAME = /^([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** sts:ExternalId: 2 to 1224 characters of letters, digits and +=,.@:/- . */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** Whether any target flag was given: without one, `check` is today's single account-Region run. */
export function wantsTargets(flags: TargetFlags): boolean {
  return Boolean(
    flags.accounts?.length ||
      flags.allAccounts ||
      flags.regions?.length ||
      flags.allRegions ||
      flags.assumeRole ||
      flags.externalId,
  );
}

/** Refuses inconsistent target flags with one line naming the flag (exit 2), before any AWS call. */
export function validateTargetFlags(flags: TargetFlags): void {
  if (flags.accounts?.length && flags.allAccounts)
    throw new InputError("--accounts and --all-accounts: pass one or the other");
  if (flags.regions?.length && flags.allRegions)
    throw new InputError("--regions and --all-regions: pass one or the other");
  for (const account of flags.accounts ?? [])
    if (!ACCOUNT_ID.test(account))
      throw new InputError(`--accounts: expected 12-digit account ids, got "${account}"`);
  for (const region of flags.regions ?? [])
    if (!REGION.test(region))
      throw new InputError(`--regions: expected Regions such as eu-west-1, got "${region}"`);
  if ((flags.accounts?.length || flags.allAccounts) && !flags.assumeRole)
    throw new InputError(
      `${flags.allAccounts ? "--all-accounts" : "--accounts"} needs --assume-role NAME: the role to assume in each account other than the caller's (to check only the caller's own account, leave the account flags out)`,
    );
  if (flags.assumeRole !== undefined && !ROLE_NAME.test(flags.assumeRole))
    throw new InputError(
      `--assume-role: expected a role name (optionally with its path, e.g. audit/EcsPreflight), got "${flags.assumeRole}"`,
    );
  if (flags.externalId !== undefined && !flags.assumeRole)
    throw new InputError("--external-id is sent with AssumeRole: pass --assume-role NAME as well");
  if (flags.externalId !== undefined && !EXTERNAL_ID.test(flags.externalId))
    throw new InputError("--external-id: expected 2 to 1224 characters of letters, digits and +=,.@:/-");
}

/** `arn:<partition>:iam::<account>:role/<path/>NAME`. */
export function roleArnIn(partition: string, account: string, roleName: string): string {
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}

export interface TargetListInput {
  /** Accounts in order (the caller's own when no account flag was given). */
  accounts: readonly string[];
  regionsOf: (account: string) => readonly string[];
  callerAccount: string;
  partition: string;
  assumeRole?: string;
}

/** Every account × its Regions, each once, in the order given; the caller's own account uses its own credentials. */
export function listTargets(input: TargetListInput): Target[] {
  const seen = new Set<string>();
  const targets: Target[] = [];
  for (const account of input.accounts) {
    for (const region of input.regionsOf(account)) {
      const key = `${account}/${region}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const own = account === input.callerAccount;
      targets.push({
        account,
        region,
        ...(own || !input.assumeRole
          ? {}
          : { roleArn: roleArnIn(input.partition, account, input.assumeRole) }),
      });
    }
  }
  return targets;
}
