import {
  type GroupDetail,
  type IAMClient,
  type RoleDetail as IamRoleDetail,
  paginateGetAccountAuthorizationDetails,
  type UserDetail,
} from "@aws-sdk/client-iam";
import { roleNameOf } from "../arn/arn.ts";
import type { PrincipalTarget } from "../arn/principal-arn.ts";
import type {
  AttachedPolicy,
  Fact,
  GroupFacts,
  InlinePolicy,
  PrincipalFacts,
  PrincipalIdentity,
  PrincipalSource,
} from "../facts/types.ts";
import { gather } from "./fact.ts";
import { documentFact } from "./iam.ts";

/**
 * The deploying principal from GetAccountAuthorizationDetails (every page, filtered to users and groups, or roles):
 * the stand-in when the single-entity reads are denied, as audit policies sometimes allow only this one call.
 * Undefined when the call failed or the principal is not in its answer (then the direct reads' error stands).
 * Managed policies are read by the caller, one by one.
 */
export async function principalFromAuthorizationDetails(
  paging: { client: IAMClient; pageSize?: number },
  ref: string,
  source: PrincipalSource,
  target: Exclude<PrincipalTarget, { kind: "unsupported" }>,
): Promise<Fact<PrincipalFacts> | undefined> {
  const api = "iam:GetAccountAuthorizationDetails";
  const details = await gather(api, async () => {
    const found = { users: [] as UserDetail[], groups: [] as GroupDetail[], roles: [] as IamRoleDetail[] };
    const Filter = target.kind === "role" ? (["Role"] as const) : (["User", "Group"] as const);
    for await (const page of paginateGetAccountAuthorizationDetails(paging, {
      Filter: [...Filter],
    })) {
      found.users.push(...(page.UserDetailList ?? []));
      found.groups.push(...(page.GroupDetailList ?? []));
      found.roles.push(...(page.RoleDetailList ?? []));
    }
    return found;
  });
  if (!details.ok) return undefined;
  const wanted = target.name.toLowerCase();
  const inline = (
    list: { PolicyName?: string; PolicyDocument?: string }[] | undefined,
  ): Fact<InlinePolicy[]> => ({
    ok: true,
    value: (list ?? []).map((p) => ({
      name: p.PolicyName ?? "",
      document: documentFact(api, p.PolicyDocument, `inline policy ${p.PolicyName}`),
    })),
  });
  const attached = (
    list: { PolicyArn?: string; PolicyName?: string }[] | undefined,
  ): Fact<AttachedPolicy[]> => ({
    ok: true,
    value: (list ?? []).flatMap((p) =>
      p.PolicyArn ? [{ name: p.PolicyName ?? roleNameOf(p.PolicyArn), arn: p.PolicyArn }] : [],
    ),
  });
  const entity =
    target.kind === "role"
      ? details.value.roles.find((r) => r.RoleName?.toLowerCase() === wanted)
      : details.value.users.find((u) => u.UserName?.toLowerCase() === wanted);
  if (!entity?.Arn) return undefined;
  const name = ("RoleName" in entity ? entity.RoleName : (entity as UserDetail).UserName) ?? target.name;
  const boundary = entity.PermissionsBoundary?.PermissionsBoundaryArn;
  const identity: PrincipalIdentity = {
    ref,
    source,
    arn: entity.Arn,
    name,
    path: entity.Path ?? "/",
    ...(boundary ? { permissionsBoundaryArn: boundary } : {}),
    inlinePolicies: inline(
      "RolePolicyList" in entity ? entity.RolePolicyList : (entity as UserDetail).UserPolicyList,
    ),
    attachedPolicies: attached(entity.AttachedManagedPolicies),
  };
  let value: PrincipalFacts;
  if (target.kind === "role") value = { kind: "role", ...identity };
  else {
    const groupNames = (entity as UserDetail).GroupList ?? [];
    const groups: GroupFacts[] = [];
    for (const groupName of groupNames) {
      const g = details.value.groups.find((d) => d.GroupName?.toLowerCase() === groupName.toLowerCase());
      // A group the listing does not show cannot be judged: say so rather than judge without it.
      if (!g?.Arn)
        return {
          ok: false,
          error: {
            api,
            code: "MalformedResponse",
            message: `group ${groupName} of user ${name} is not in the answer`,
          },
        };
      groups.push({
        name: g.GroupName ?? groupName,
        arn: g.Arn,
        inlinePolicies: inline(g.GroupPolicyList),
        attachedPolicies: attached(g.AttachedManagedPolicies),
      });
    }
    value = { kind: "user", ...identity, groups: { ok: true, value: groups } };
  }
  return { ok: true, value };
}
