import type { FakeGroup, FakeRole, FakeUser, PolicyText } from "./account.ts";
import { AwsError } from "./errors.ts";
import { encodePolicy, findPolicy, iamPage, normalisePath, policyName, roleArn } from "./iam.ts";
import { type QueryParams, queryList } from "./query.ts";
import { type FakeState, stableId } from "./state.ts";
import type { XmlFields } from "./xml.ts";

/**
 * IAM GetAccountAuthorizationDetails (awsQuery): every user, group and role with its policies, in one paged list
 * (`Filter.member.N` = User | Role | Group | LocalManagedPolicy | AWSManagedPolicy). Documents URL-encoded, as in
 * the single-entity calls. Managed policy details (`Policies`) are not served: the collector reads them one by one.
 */

const CREATE_DATE = "2024-01-10T18:00:00Z";
const ENTITY_TYPES = new Set(["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"]);

const policyList = (inline: Record<string, PolicyText> = {}) =>
  Object.keys(inline)
    .sort()
    .map((name) => ({ PolicyName: name, PolicyDocument: encodePolicy(inline[name] as PolicyText) }));

const attachedList = (state: FakeState, arns: string[] | undefined) =>
  (arns ?? []).map((arn) => ({ PolicyName: policyName(arn, findPolicy(state, arn)), PolicyArn: arn }));

const boundary = (arn: string | undefined) =>
  arn ? { PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: arn } : undefined;

type Entry =
  | { kind: "User"; user: FakeUser }
  | { kind: "Group"; group: FakeGroup }
  | { kind: "Role"; role: FakeRole };

export function getAccountAuthorizationDetails(state: FakeState, params: QueryParams): XmlFields {
  const filter = queryList(params, "Filter.member");
  for (const f of filter)
    if (!ENTITY_TYPES.has(f))
      throw new AwsError(
        "ValidationError",
        `1 validation error detected: Value '[${f}]' at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [User, Role, LocalManagedPolicy, Group, AWSManagedPolicy]]`,
      );
  const wants = (kind: string) => filter.length === 0 || filter.includes(kind);
  const entries: Entry[] = [
    ...(wants("User") ? (state.account.users ?? []).map((user) => ({ kind: "User" as const, user })) : []),
    ...(wants("Group")
      ? (state.account.groups ?? []).map((group) => ({ kind: "Group" as const, group }))
      : []),
    ...(wants("Role") ? (state.account.roles ?? []).map((role) => ({ kind: "Role" as const, role })) : []),
  ];
  const { items, paging } = iamPage(state, params, entries, ["GetAccountAuthorizationDetails", ...filter]);
  const id = (prefix: string, kind: string, name: string) =>
    stableId(prefix, `${state.accountId}/${kind}/${name}`, 17);
  return {
    UserDetailList: items.flatMap((e) =>
      e.kind === "User"
        ? [
            {
              Path: normalisePath(e.user.path),
              UserName: e.user.name,
              UserId: id("AIDA", "user", e.user.name),
              Arn: `arn:aws:iam::${state.accountId}:user${normalisePath(e.user.path)}${e.user.name}`,
              CreateDate: CREATE_DATE,
              UserPolicyList: policyList(e.user.inline),
              GroupList: e.user.groups ?? [],
              AttachedManagedPolicies: attachedList(state, e.user.attached),
              PermissionsBoundary: boundary(e.user.boundaryArn),
            },
          ]
        : [],
    ),
    GroupDetailList: items.flatMap((e) =>
      e.kind === "Group"
        ? [
            {
              Path: normalisePath(e.group.path),
              GroupName: e.group.name,
              GroupId: id("AGPA", "group", e.group.name),
              Arn: `arn:aws:iam::${state.accountId}:group${normalisePath(e.group.path)}${e.group.name}`,
              CreateDate: CREATE_DATE,
              GroupPolicyList: policyList(e.group.inline),
              AttachedManagedPolicies: attachedList(state, e.group.attached),
            },
          ]
        : [],
    ),
    RoleDetailList: items.flatMap((e) =>
      e.kind === "Role"
        ? [
            {
              Path: normalisePath(e.role.path),
              RoleName: e.role.name,
              RoleId: id("AROA", "role", e.role.name),
              Arn: roleArn(state, e.role),
              CreateDate: e.role.createDate ?? CREATE_DATE,
              AssumeRolePolicyDocument: encodePolicy(e.role.trustPolicy),
              InstanceProfileList: [],
              RolePolicyList: policyList(e.role.inline),
              AttachedManagedPolicies: attachedList(state, e.role.attached),
              PermissionsBoundary: boundary(e.role.boundaryArn),
            },
          ]
        : [],
    ),
    Policies: [],
    ...paging,
  };
}
