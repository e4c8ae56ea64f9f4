import { parsedManagedPolicy, parsedPolicy } from "../../src/analysis/role-policies.ts";
import { parseArn } from "../../src/arn/arn.ts";
import type { AttachedPolicy, Fact, Facts, InlinePolicy, PrincipalFacts } from "../../src/facts/types.ts";
import type { Policy, PolicySource } from "../../src/iam/types.ts";

/** Who holds a policy: the principal itself, or (for a user) one of its groups. */
export interface PolicyHolder {
  kind: "role" | "user" | "group";
  name: string;
}

export type EvaluablePrincipal = Exclude<PrincipalFacts, { kind: "unsupported" }>;

/** The parsed policies that decide what a principal may do, each with its holder. */
export interface PrincipalPolicies {
  kind: "role" | "user";
  arn: string;
  account: string;
  name: string;
  identity: Policy[];
  boundary?: Policy[];
  /** By the policy's source (a decision's statements carry it): whose policy it is. */
  holders: Map<PolicySource, PolicyHolder>;
}

const INLINE_API = {
  role: "iam:GetRolePolicy",
  user: "iam:GetUserPolicy",
  group: "iam:GetGroupPolicy",
} as const;

/** Adds one holder's inline and attached policies; the first piece missing is the error. */
function addHolder(
  facts: Facts,
  out: { identity: Policy[]; holders: Map<PolicySource, PolicyHolder> },
  holder: PolicyHolder,
  inline: Fact<InlinePolicy[]>,
  attached: Fact<AttachedPolicy[]>,
): Fact<true> {
  if (!inline.ok) return inline;
  if (!attached.ok) return attached;
  const parsed: Fact<Policy>[] = [
    ...inline.value.map((p) =>
      parsedPolicy(INLINE_API[holder.kind], p.document, { kind: "inline", name: p.name }),
    ),
    ...attached.value.map((p) => parsedManagedPolicy(facts, p.arn, "managed")),
  ];
  for (const policy of parsed) {
    if (!policy.ok) return policy;
    // A managed policy attached to the user and to its group is one policy: the first holder names it.
    if (!out.holders.has(policy.value.source)) out.holders.set(policy.value.source, holder);
    if (!out.identity.includes(policy.value)) out.identity.push(policy.value);
  }
  return { ok: true, value: true };
}

/**
 * Everything that decides a role's or a user's permissions: its inline and attached policies, a user's groups'
 * inline and attached policies (identity policies too), and the permissions boundary.
 */
export function principalPolicies(facts: Facts, principal: EvaluablePrincipal): Fact<PrincipalPolicies> {
  const out = { identity: [] as Policy[], holders: new Map<PolicySource, PolicyHolder>() };
  const own = addHolder(
    facts,
    out,
    { kind: principal.kind, name: principal.name },
    principal.inlinePolicies,
    principal.attachedPolicies,
  );
  if (!own.ok) return own;
  if (principal.kind === "user") {
    if (!principal.groups.ok) return principal.groups;
    for (const group of principal.groups.value) {
      const added = addHolder(
        facts,
        out,
        { kind: "group", name: group.name },
        group.inlinePolicies,
        group.attachedPolicies,
      );
      if (!added.ok) return added;
    }
  }
  let boundary: Policy[] | undefined;
  if (principal.permissionsBoundaryArn) {
    const policy = parsedManagedPolicy(facts, principal.permissionsBoundaryArn, "boundary");
    if (!policy.ok) return policy;
    boundary = [policy.value];
  }
  return {
    ok: true,
    value: {
      kind: principal.kind,
      arn: principal.arn,
      account: parseArn(principal.arn)?.account ?? "",
      name: principal.name,
      identity: out.identity,
      ...(boundary ? { boundary } : {}),
      holders: out.holders,
    },
  };
}
