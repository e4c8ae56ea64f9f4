import type { FakeGroup, FakeUser, PolicyText } from "./account.ts";
import { AwsError } from "./errors.ts";
import { encodePolicy, findPolicy, iamPage, normalisePath, policyName, required } from "./iam.ts";
import { getAccountAuthorizationDetails } from "./iam-authorization-details.ts";
import type { QueryParams } from "./query.ts";
import { type FakeState, stableId } from "./state.ts";
import type { XmlFields } from "./xml.ts";

/**
 * IAM users and groups (awsQuery, 2010-05-08): what the pass-role check reads of a deploying user. Shapes as in the
 * IAM API model: GetUser → User; List*Policies → PolicyNames; ListAttached*Policies → AttachedPolicies;
 * ListGroupsForUser → Groups; every list pages with IsTruncated/Marker.
 */

const CREATE_DATE = "2024-01-10T18:00:00Z";

type Entity = "user" | "group";

function find<T extends FakeUser | FakeGroup>(list: T[] | undefined, kind: Entity, name: string): T {
  const wanted = name.toLowerCase();
  const found = list?.find((e) => e.name.toLowerCase() === wanted);
  if (!found) throw new AwsError("NoSuchEntity", `The ${kind} with name ${name} cannot be found.`, 404);
  return found;
}

/** GetUser without a UserName answers for the calling user, as IAM does. */
function userOf(state: FakeState, params: QueryParams): FakeUser {
  const name = params.UserName ?? /:user\/(?:.*\/)?([^/]+)$/.exec(state.caller.arn)?.[1];
  if (!name)
    throw new AwsError("ValidationError", "Must specify userName when calling with non-User credentials");
  return find(state.account.users, "user", name);
}

const groupOf = (state: FakeState, params: QueryParams) =>
  find(state.account.groups, "group", required(params, "GroupName"));

function arnOf(state: FakeState, kind: Entity, entity: FakeUser | FakeGroup): string {
  return `arn:aws:iam::${state.accountId}:${kind}${normalisePath(entity.path)}${entity.name}`;
}

function getUser(state: FakeState, params: QueryParams): XmlFields {
  const user = userOf(state, params);
  return {
    User: {
      Path: normalisePath(user.path),
      UserName: user.name,
      UserId: stableId("AIDA", `${state.accountId}/user/${user.name}`, 17),
      Arn: arnOf(state, "user", user),
      CreateDate: CREATE_DATE,
      PermissionsBoundary: user.boundaryArn
        ? { PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: user.boundaryArn }
        : undefined,
    },
  };
}

function policyNames(state: FakeState, params: QueryParams, kind: Entity, entity: FakeUser | FakeGroup) {
  const names = Object.keys(entity.inline ?? {}).sort();
  const { items, paging } = iamPage(state, params, names, [`List${kind}Policies`, entity.name]);
  return { PolicyNames: items, ...paging };
}

function attached(state: FakeState, params: QueryParams, kind: Entity, entity: FakeUser | FakeGroup) {
  const prefix = params.PathPrefix ?? "/";
  const arns = (entity.attached ?? []).filter((arn) =>
    arn.slice(arn.indexOf(":policy/") + ":policy".length).startsWith(prefix),
  );
  const { items, paging } = iamPage(state, params, arns, [
    `ListAttached${kind}Policies`,
    entity.name,
    prefix,
  ]);
  return {
    AttachedPolicies: items.map((arn) => ({
      PolicyName: policyName(arn, findPolicy(state, arn)),
      PolicyArn: arn,
    })),
    ...paging,
  };
}

function inlineDocument(kind: Entity, entity: FakeUser | FakeGroup, params: QueryParams): string {
  const name = required(params, "PolicyName");
  const document: PolicyText | undefined =
    entity.inline && Object.hasOwn(entity.inline, name) ? entity.inline[name] : undefined;
  if (document === undefined)
    throw new AwsError("NoSuchEntity", `The ${kind} policy with name ${name} cannot be found.`, 404);
  return encodePolicy(document);
}

function listGroupsForUser(state: FakeState, params: QueryParams): XmlFields {
  const user = find(state.account.users, "user", required(params, "UserName"));
  const groups = (user.groups ?? []).map((name) => find(state.account.groups, "group", name));
  const { items, paging } = iamPage(state, params, groups, ["ListGroupsForUser", user.name]);
  return {
    Groups: items.map((g) => ({
      Path: normalisePath(g.path),
      GroupName: g.name,
      GroupId: stableId("AGPA", `${state.accountId}/group/${g.name}`, 17),
      Arn: arnOf(state, "group", g),
      CreateDate: CREATE_DATE,
    })),
    ...paging,
  };
}

const userNamed = (state: FakeState, params: QueryParams) =>
  find(state.account.users, "user", required(params, "UserName"));

export const USER_HANDLERS: Record<string, (state: FakeState, params: QueryParams) => XmlFields> = {
  GetUser: getUser,
  ListUserPolicies: (s, p) => policyNames(s, p, "user", userNamed(s, p)),
  GetUserPolicy: (s, p) => {
    const user = userNamed(s, p);
    return { UserName: user.name, PolicyName: p.PolicyName, PolicyDocument: inlineDocument("user", user, p) };
  },
  ListAttachedUserPolicies: (s, p) => attached(s, p, "user", userNamed(s, p)),
  ListGroupsForUser: listGroupsForUser,
  ListGroupPolicies: (s, p) => policyNames(s, p, "group", groupOf(s, p)),
  GetGroupPolicy: (s, p) => {
    const group = groupOf(s, p);
    return {
      GroupName: group.name,
      PolicyName: p.PolicyName,
      PolicyDocument: inlineDocument("group", group, p),
    };
  },
  ListAttachedGroupPolicies: (s, p) => attached(s, p, "group", groupOf(s, p)),
  GetAccountAuthorizationDetails: getAccountAuthorizationDetails,
};
