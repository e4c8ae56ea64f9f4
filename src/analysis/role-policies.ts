import { parseArn } from "../arn/arn.ts";
import type { Fact, FactError, Facts, RoleFacts } from "../facts/types.ts";
import { parsePolicy } from "../iam/parse.ts";
import type { Policy, PolicySource } from "../iam/types.ts";
import { useOfReference } from "./infrastructure-uses.ts";

/** The parsed policies that make a role's permissions, or why they could not be known. */
export interface RolePolicies {
  arn: string;
  account: string;
  identity: Policy[];
  /** Present when the role has a permissions boundary. */
  boundary?: Policy[];
  /** ARNs of the attached managed policies. */
  attachedArns: string[];
}

/** A role that exists, with its ARN; undefined for a deleted role or one whose GetRole failed. */
/** The role as IAM answered it, when it exists. */
export type ExistingRole = Extract<Extract<RoleFacts["role"], { ok: true }>["value"], { exists: true }>;

export function existingRole(role: RoleFacts): ExistingRole | undefined {
  if (!role.role.ok || !role.role.value.exists) return undefined;
  return role.role.value;
}

function malformed(api: string, source: PolicySource, message: string): FactError {
  const where = source.arn ?? source.name;
  return { api, code: "MalformedPolicyDocument", message: `${source.kind} policy ${where}: ${message}` };
}

/** Parses a policy document fact; grammar problems become a fact error, so rules report unknown. */
export function parsedPolicy(api: string, document: Fact<unknown>, source: PolicySource): Fact<Policy> {
  if (!document.ok) return document;
  const parsed = parsePolicy(document.value, source);
  if (parsed.ok) return { ok: true, value: parsed.policy };
  const first = parsed.errors[0];
  const more = parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more)` : "";
  return { ok: false, error: malformed(api, source, `${first?.path}: ${first?.message}${more}`) };
}

/** Parsed managed policies, per fact object and use: many roles share one policy, and several rules ask. */
const parsedManaged = new WeakMap<object, Partial<Record<"managed" | "boundary", Fact<Policy>>>>();

/** A managed policy of Facts.managedPolicies, parsed once per fact and use. */
export function parsedManagedPolicy(facts: Facts, arn: string, kind: "managed" | "boundary"): Fact<Policy> {
  const fact = facts.managedPolicies[arn];
  if (!fact) {
    return {
      ok: false,
      error: { api: "iam:GetPolicy", code: "NotCollected", message: `policy ${arn} was not collected` },
    };
  }
  if (!fact.ok) return fact;
  const cached = parsedManaged.get(fact) ?? {};
  let parsed = cached[kind];
  if (!parsed) {
    const { name, defaultVersionId, document } = fact.value;
    parsed = parsedPolicy("iam:GetPolicyVersion", document, { kind, name, arn, versionId: defaultVersionId });
    parsedManaged.set(fact, { ...cached, [kind]: parsed });
  }
  return parsed;
}

/**
 * Gathers and parses everything that decides a role's permissions: inline policies, attached managed
 * policies at their default version, and the permissions boundary. Any piece missing is the error.
 */
export function rolePolicies(facts: Facts, role: RoleFacts): Fact<RolePolicies> {
  // Several rules ask about the same role in one run; facts do not change while rules run.
  const cached = gatheredPolicies.get(role);
  if (cached?.facts === facts) return cached.policies;
  const policies = gatherRolePolicies(facts, role);
  gatheredPolicies.set(role, { facts, policies });
  return policies;
}

const gatheredPolicies = new WeakMap<RoleFacts, { facts: Facts; policies: Fact<RolePolicies> }>();

function gatherRolePolicies(facts: Facts, role: RoleFacts): Fact<RolePolicies> {
  if (!role.role.ok) return role.role;
  const detail = role.role.value;
  if (!detail.exists) {
    return {
      ok: false,
      error: { api: "iam:GetRole", code: "NoSuchEntity", message: `role ${role.name} does not exist` },
    };
  }
  if (!role.inlinePolicies.ok) return role.inlinePolicies;
  if (!role.attachedPolicies.ok) return role.attachedPolicies;

  const identity: Policy[] = [];
  for (const inline of role.inlinePolicies.value) {
    const policy = parsedPolicy("iam:GetRolePolicy", inline.document, { kind: "inline", name: inline.name });
    if (!policy.ok) return policy;
    identity.push(policy.value);
  }
  for (const attached of role.attachedPolicies.value) {
    const policy = parsedManagedPolicy(facts, attached.arn, "managed");
    if (!policy.ok) return policy;
    identity.push(policy.value);
  }
  let boundary: Policy[] | undefined;
  if (detail.permissionsBoundaryArn) {
    const policy = parsedManagedPolicy(facts, detail.permissionsBoundaryArn, "boundary");
    if (!policy.ok) return policy;
    boundary = [policy.value];
  }
  return {
    ok: true,
    value: {
      arn: detail.arn,
      account: parseArn(detail.arn)?.account ?? "",
      identity,
      ...(boundary ? { boundary } : {}),
      attachedArns: role.attachedPolicies.value.map((p) => p.arn),
    },
  };
}

/** Roles used for EBS volumes: named with --role, or referenced by an EBS volume configuration or attachment. */
export function usedForVolumes(role: RoleFacts): boolean {
  return role.referencedBy.some((r) => r.kind === "flag" || useOfReference(r) === "ebs");
}

/** Roles a service's Service Connect configuration names for TLS (a --role flag alone says nothing about TLS). */
export function usedForServiceConnectTls(role: RoleFacts): boolean {
  return role.referencedBy.some((r) => useOfReference(r) === "service-connect-tls");
}
