import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { UndecidedError } from "../errors.ts";
import { type AwsSettings, clientConfig } from "./clients.ts";
import { toFactError } from "./fact.ts";

/**
 * The AWS side of organisation scale: who the caller is, the organisation's ACTIVE accounts, an account's enabled
 * Regions, and assumed-role sessions that renew themselves. Organizations and EC2 load only when asked for.
 */

export interface CallerAccount {
  account: string;
  arn: string;
  partition: string;
}

export async function callerAccount(settings: AwsSettings): Promise<CallerAccount> {
  const sts = new STSClient(clientConfig(settings));
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    if (!out.Account || !out.Arn) throw new UndecidedError("sts:GetCallerIdentity returned no account");
    return { account: out.Account, arn: out.Arn, partition: out.Arn.split(":")[1] ?? "aws" };
  } catch (err) {
    if (err instanceof UndecidedError) throw err;
    const e = toFactError("sts:GetCallerIdentity", err);
    throw new UndecidedError(
      `cannot tell which account the caller is in: ${e.api} failed with ${e.code}: ${e.message}`,
    );
  }
}

const DENIED = /AccessDenied|NotAuthorized|AWSOrganizationsNotInUse/i;

/**
 * The organisation's ACTIVE accounts, every page. The account's state is `State` (Status was retired in September
 * 2026; older answers carry only Status): SUSPENDED, PENDING_CLOSURE and CLOSED accounts are no target.
 */
export async function organizationAccounts(settings: AwsSettings): Promise<string[]> {
  const { OrganizationsClient, paginateListAccounts } = await import("@aws-sdk/client-organizations");
  const client = new OrganizationsClient(clientConfig(settings));
  const accounts: string[] = [];
  try {
    for await (const page of paginateListAccounts({ client }, {})) {
      for (const account of page.Accounts ?? []) {
        const state = account.State ?? account.Status;
        if (account.Id && state === "ACTIVE") accounts.push(account.Id);
      }
    }
    return accounts;
  } catch (err) {
    const e = toFactError("organizations:ListAccounts", err);
    const hint = DENIED.test(e.code)
      ? " --all-accounts needs organizations:ListAccounts, allowed to the caller in the organisation's management account or a delegated-administrator account (or name the accounts with --accounts)"
      : "";
    throw new UndecidedError(
      `cannot list the organisation's accounts: ${e.api} failed with ${e.code}: ${e.message}.${hint}`,
    );
  } finally {
    client.destroy();
  }
}

/** The account's enabled Regions (DescribeRegions without AllRegions: opted-in and opt-in-not-required). */
export async function enabledRegions(settings: AwsSettings): Promise<string[]> {
  const { EC2Client, DescribeRegionsCommand } = await import("./ec2-sdk.ts");
  const client = new EC2Client(clientConfig(settings));
  try {
    const out = await client.send(new DescribeRegionsCommand({ AllRegions: false }));
    return (out.Regions ?? [])
      .filter((r) => r.OptInStatus !== "not-opted-in")
      .flatMap((r) => (r.RegionName ? [r.RegionName] : []));
  } finally {
    client.destroy();
  }
}

export interface AssumedRole {
  roleArn: string;
  externalId?: string;
  sessionName?: string;
  durationSeconds?: number;
  /** Milliseconds since the epoch; tests move it on to see a session renewed. */
  now?: () => number;
}

/** Renew this long before a session expires, as the SDK's own providers do. */
export const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * An assumed-role session shared by all of one target's clients, renewed when it comes within five minutes of its
 * expiry (a long run outlives an hour's session), and assumed once however many requests ask at the same moment.
 */
export type AssumedRoleProvider = AwsCredentialIdentityProvider & {
  /** Closes the STS client once the target is done (its sockets). */
  destroy(): void;
};

export function assumedRoleCredentials(base: AwsSettings, role: AssumedRole): AssumedRoleProvider {
  const now = role.now ?? Date.now;
  const sts = new STSClient(clientConfig(base));
  let current: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;
  const fresh = (c: AwsCredentialIdentity | undefined) =>
    c !== undefined && (c.expiration === undefined || c.expiration.getTime() - now() > RENEW_BEFORE_MS);
  const provider = async () => {
    if (fresh(current)) return current as AwsCredentialIdentity;
    pending ??= sts
      .send(
        new AssumeRoleCommand({
          RoleArn: role.roleArn,
          RoleSessionName: role.sessionName ?? "ecs-preflight",
          DurationSeconds: role.durationSeconds ?? 3600,
          ...(role.externalId ? { ExternalId: role.externalId } : {}),
        }),
      )
      .then((out) => {
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey)
          throw Object.assign(new Error("AssumeRole returned no credentials"), { name: "MalformedResponse" });
        current = {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
          ...(c.Expiration ? { expiration: c.Expiration } : {}),
        };
        return current;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  return Object.assign(provider, { destroy: () => sts.destroy() });
}
