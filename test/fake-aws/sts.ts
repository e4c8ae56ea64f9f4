import { AwsError } from "./errors.ts";
import type { QueryParams } from "./query.ts";
import type { FakeState } from "./state.ts";
import type { FakeWorld } from "./world.ts";
import type { XmlFields } from "./xml.ts";

/** STS (awsQuery, 2011-06-15): who is calling, and AssumeRole into another account's role (trust and ExternalId checked). */
export function handleSts(
  state: FakeState,
  action: string,
  params: QueryParams,
  world?: FakeWorld,
): XmlFields {
  if (action === "AssumeRole" && world) return assumeRole(state, params, world);
  if (action !== "GetCallerIdentity") {
    throw new AwsError("InvalidAction", `Could not find operation ${action} for version 2011-06-15`);
  }
  return { Arn: state.caller.arn, UserId: state.caller.userId, Account: state.accountId };
}

const ROLE_ARN = /^arn:(aws[\w-]*):iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/;

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** Whether the role's trust lets this caller assume it with this ExternalId: Allow statements only, StringEquals on sts:ExternalId. */
function trusts(
  trust: unknown,
  callerAccount: string,
  callerArn: string,
  externalId: string | undefined,
): boolean {
  const doc = typeof trust === "string" ? (JSON.parse(trust) as unknown) : trust;
  const statements = list((doc as { Statement?: unknown }).Statement) as Record<string, unknown>[];
  return statements.some((s) => {
    if (s.Effect !== "Allow") return false;
    if (!list(s.Action).some((a) => a === "sts:AssumeRole" || a === "sts:*" || a === "*")) return false;
    const principals = list((s.Principal as { AWS?: unknown } | undefined)?.AWS);
    const named = principals.some(
      (p) =>
        p === "*" || p === callerAccount || p === `arn:aws:iam::${callerAccount}:root` || p === callerArn,
    );
    if (!named) return false;
    const wanted = (s.Condition as { StringEquals?: Record<string, unknown> } | undefined)?.StringEquals?.[
      "sts:ExternalId"
    ];
    return wanted === undefined || list(wanted).includes(externalId);
  });
}

function assumeRole(state: FakeState, params: QueryParams, world: FakeWorld): XmlFields {
  const roleArn = params.RoleArn ?? "";
  const sessionName = params.RoleSessionName ?? "";
  if (!sessionName)
    throw new AwsError("ValidationError", "1 validation error detected: RoleSessionName is required");
  const match = ROLE_ARN.exec(roleArn);
  const denied = new AwsError(
    "AccessDenied",
    `User: ${state.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    403,
  );
  if (!match) throw new AwsError("ValidationError", `${roleArn} is invalid`);
  const [, , accountId = "", roleName = ""] = match;
  const target = world.stateFor(accountId, state.region, true);
  const role = target?.account.roles?.find((r) => r.name === roleName);
  if (!role || !trusts(role.trustPolicy, state.accountId, state.caller.arn, params.ExternalId)) throw denied;
  const duration = params.DurationSeconds === undefined ? 3600 : Number(params.DurationSeconds);
  const session = world.issue(accountId, roleArn, sessionName, duration);
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: `secret-${session.accessKeyId}`,
      SessionToken: `token-${session.accessKeyId}`,
      Expiration: new Date(session.expiresAt).toISOString(),
    },
    AssumedRoleUser: { AssumedRoleId: session.userId, Arn: session.arn },
  };
}
