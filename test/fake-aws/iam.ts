import type { FakeManagedPolicy, FakeRole, PolicyText } from "./account.ts";
import { AwsError } from "./errors.ts";
import { simulatePrincipalPolicy } from "./iam-simulate.ts";
import { USER_HANDLERS } from "./iam-users.ts";
import { decodeToken, effectivePageSize, encodeToken, pageOf } from "./paging.ts";
import type { QueryParams } from "./query.ts";
import { type FakeState, stableId } from "./state.ts";
import type { XmlFields } from "./xml.ts";

/**
 * IAM (awsQuery, 2010-05-08): the read calls the collector makes. Policy documents go out URL-encoded
 * (encodeURIComponent), as real IAM sends them and the JS SDK hands them on undecoded.
 */

const DEFAULT_CREATE_DATE = "2024-01-10T18:00:00Z";

type IamHandler = (state: FakeState, params: QueryParams) => XmlFields;

const HANDLERS: Record<string, IamHandler> = {
  GetRole: getRole,
  ListAttachedRolePolicies: listAttachedRolePolicies,
  ListRolePolicies: listRolePolicies,
  GetRolePolicy: getRolePolicy,
  GetPolicy: getPolicy,
  GetPolicyVersion: getPolicyVersion,
  SimulatePrincipalPolicy: (state, params) => simulatePrincipalPolicy(state, params),
};

export function handleIam(state: FakeState, action: string, params: QueryParams): XmlFields {
  // Looked up per call: iam-users.ts imports this module's helpers, so its table is read only once both have loaded.
  const handler = HANDLERS[action] ?? USER_HANDLERS[action];
  if (!handler)
    throw new AwsError("InvalidAction", `Could not find operation ${action} for version 2010-05-08`);
  return handler(state, params);
}

/** The document as IAM sends it: a string policy exactly as given (malformed or not), an object as JSON. */
export function encodePolicy(document: PolicyText): string {
  return encodeURIComponent(typeof document === "string" ? document : JSON.stringify(document));
}

export function roleArn(state: FakeState, role: FakeRole): string {
  return `arn:aws:iam::${state.accountId}:role${normalisePath(role.path)}${role.name}`;
}

export function normalisePath(path: string | undefined): string {
  if (!path) return "/";
  const withLead = path.startsWith("/") ? path : `/${path}`;
  return withLead.endsWith("/") ? withLead : `${withLead}/`;
}

export function required(params: QueryParams, name: string): string {
  const value = params[name];
  if (value === undefined || value === "") {
    const member = name.charAt(0).toLowerCase() + name.slice(1);
    throw new AwsError(
      "ValidationError",
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

/** IAM role names are unique regardless of case, and lookups ignore case. */
function findRole(state: FakeState, roleName: string): FakeRole {
  const wanted = roleName.toLowerCase();
  const role = state.account.roles?.find((candidate) => candidate.name.toLowerCase() === wanted);
  if (!role) throw new AwsError("NoSuchEntity", `The role with name ${roleName} cannot be found.`, 404);
  return role;
}

function getRole(state: FakeState, params: QueryParams): XmlFields {
  const role = findRole(state, required(params, "RoleName"));
  return {
    Role: {
      Path: normalisePath(role.path),
      RoleName: role.name,
      RoleId: stableId("AROA", `${state.accountId}/role/${role.name}`, 17),
      Arn: roleArn(state, role),
      CreateDate: role.createDate ?? DEFAULT_CREATE_DATE,
      AssumeRolePolicyDocument: encodePolicy(role.trustPolicy),
      MaxSessionDuration: 3600,
      PermissionsBoundary: role.boundaryArn
        ? { PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: role.boundaryArn }
        : undefined,
      RoleLastUsed: {},
      Tags: role.tags ? Object.entries(role.tags).map(([Key, Value]) => ({ Key, Value })) : undefined,
    },
  };
}

/** IAM's MaxItems: 1–1000, default 100; the fake's page-size cap may return fewer, as IAM itself may. */
export function iamPage<T>(state: FakeState, params: QueryParams, all: readonly T[], query: unknown) {
  const maxItems = params.MaxItems === undefined ? undefined : Number(params.MaxItems);
  if (maxItems !== undefined && (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1000)) {
    throw new AwsError(
      "ValidationError",
      `1 validation error detected: Value '${params.MaxItems}' at 'maxItems' failed to satisfy constraint: ` +
        "Member must have value between 1 and 1000",
    );
  }
  let offset = 0;
  if (params.Marker !== undefined) {
    const decoded = decodeToken(params.Marker, query);
    if (decoded === undefined) throw new AwsError("ValidationError", "Invalid Marker.");
    offset = decoded;
  }
  const page = pageOf(all, offset, effectivePageSize(maxItems, 100, state.pageSize.iam));
  return {
    items: page.items,
    paging: {
      IsTruncated: page.next !== undefined,
      Marker: page.next === undefined ? undefined : encodeToken(page.next, query),
    },
  };
}

/** The path IAM shows for a policy: `arn:aws:iam::aws:policy/service-role/X` → "/service-role/". */
function policyPath(arn: string): string {
  const resource = arn.slice(arn.indexOf(":policy/") + ":policy".length);
  return resource.slice(0, resource.lastIndexOf("/") + 1) || "/";
}

export function policyName(arn: string, policy?: FakeManagedPolicy): string {
  return policy?.name ?? arn.slice(arn.lastIndexOf("/") + 1);
}

function listAttachedRolePolicies(state: FakeState, params: QueryParams): XmlFields {
  const role = findRole(state, required(params, "RoleName"));
  const prefix = params.PathPrefix ?? "/";
  const attached = (role.attached ?? []).filter((arn) => policyPath(arn).startsWith(prefix));
  const { items, paging } = iamPage(state, params, attached, ["ListAttachedRolePolicies", role.name, prefix]);
  return {
    AttachedPolicies: items.map((arn) => ({
      PolicyName: policyName(arn, findPolicy(state, arn)),
      PolicyArn: arn,
    })),
    ...paging,
  };
}

function listRolePolicies(state: FakeState, params: QueryParams): XmlFields {
  const role = findRole(state, required(params, "RoleName"));
  const names = Object.keys(role.inline ?? {}).sort();
  const { items, paging } = iamPage(state, params, names, ["ListRolePolicies", role.name]);
  return { PolicyNames: items, ...paging };
}

function getRolePolicy(state: FakeState, params: QueryParams): XmlFields {
  const role = findRole(state, required(params, "RoleName"));
  const name = required(params, "PolicyName");
  const document = role.inline && Object.hasOwn(role.inline, name) ? role.inline[name] : undefined;
  if (document === undefined) {
    throw new AwsError("NoSuchEntity", `The role policy with name ${name} cannot be found.`, 404);
  }
  return { RoleName: role.name, PolicyName: name, PolicyDocument: encodePolicy(document) };
}

export function findPolicy(state: FakeState, arn: string): FakeManagedPolicy | undefined {
  return state.account.managedPolicies?.find((policy) => policy.arn === arn);
}

function requirePolicy(state: FakeState, params: QueryParams): FakeManagedPolicy {
  const arn = required(params, "PolicyArn");
  if (!/^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/./.test(arn)) {
    throw new AwsError("InvalidInput", `ARN ${arn} is not valid.`);
  }
  const policy = findPolicy(state, arn);
  if (!policy) throw new AwsError("NoSuchEntity", `Policy ${arn} was not found.`, 404);
  return policy;
}

function attachmentCount(state: FakeState, arn: string): number {
  const { roles = [], users = [], groups = [] } = state.account;
  return [...roles, ...users, ...groups].filter((entity) => entity.attached?.includes(arn)).length;
}

function getPolicy(state: FakeState, params: QueryParams): XmlFields {
  const policy = requirePolicy(state, params);
  return {
    Policy: {
      PolicyName: policyName(policy.arn, policy),
      PolicyId: stableId("ANPA", policy.arn, 17),
      Arn: policy.arn,
      Path: policyPath(policy.arn),
      DefaultVersionId: policy.defaultVersionId,
      AttachmentCount: attachmentCount(state, policy.arn),
      PermissionsBoundaryUsageCount: [...(state.account.roles ?? []), ...(state.account.users ?? [])].filter(
        (r) => r.boundaryArn === policy.arn,
      ).length,
      IsAttachable: true,
      CreateDate: DEFAULT_CREATE_DATE,
      UpdateDate: DEFAULT_CREATE_DATE,
    },
  };
}

function getPolicyVersion(state: FakeState, params: QueryParams): XmlFields {
  const policy = requirePolicy(state, params);
  const versionId = required(params, "VersionId");
  const document = Object.hasOwn(policy.versions, versionId) ? policy.versions[versionId] : undefined;
  if (document === undefined) {
    throw new AwsError(
      "NoSuchEntity",
      `Policy ${policy.arn} version ${versionId} does not exist or is not attachable.`,
      404,
    );
  }
  return {
    PolicyVersion: {
      Document: encodePolicy(document),
      VersionId: versionId,
      IsDefaultVersion: versionId === policy.defaultVersionId,
      CreateDate: DEFAULT_CREATE_DATE,
    },
  };
}
