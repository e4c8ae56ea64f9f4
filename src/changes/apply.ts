import { parseArn } from "../arn/arn.ts";
import type { Fact, Facts, ManagedPolicy, PlanFacts, PlannedRole } from "../facts/types.ts";
import { compareText } from "../order.ts";
import { afterState } from "./after-state.ts";
import type { ChangeList, PolicyChange, RoleTouch } from "./model.ts";
import { UNKNOWN } from "./model.ts";

/**
 * Applies a ChangeList, whatever its source, to today's facts: the state of every role it touches once the change
 * has run. What the source knows only after the change stays unknown (an error fact with code KnownAfterApply),
 * never today's value.
 */

const key = (name: string) => name.toLowerCase();

interface Gathered {
  /** Touches per role (lower-cased name), with the name as the source spells it. */
  touches: Map<string, { name: string; touches: RoleTouch[] }>;
  unattributed: PlanFacts["unattributed"];
  /** Roles each managed policy is attached to or bounds in the source (before or after), by policy ARN. */
  rolesByPolicy: Map<string, Set<string>>;
}

function gather(list: ChangeList): Gathered {
  const g: Gathered = { touches: new Map(), unattributed: [], rolesByPolicy: new Map() };
  for (const t of list.touches) {
    if (t.role === UNKNOWN) {
      g.unattributed.push(t.change);
      continue;
    }
    const entry = g.touches.get(key(t.role)) ?? { name: t.role, touches: [] };
    entry.touches.push(t);
    g.touches.set(key(t.role), entry);
  }
  for (const { policyArn, role } of list.reach) {
    const roles = g.rolesByPolicy.get(policyArn) ?? new Set();
    roles.add(key(role));
    g.rolesByPolicy.set(policyArn, roles);
  }
  return g;
}

/** Roles (lower-cased names) a rewritten managed policy reaches: attached or a boundary, in the source or today. */
function policyRoles(g: Gathered, p: PolicyChange, facts?: Facts): Set<string> {
  const roles = new Set(g.rolesByPolicy.get(p.arn) ?? []);
  for (const r of facts?.roles ?? []) {
    if (r.attachedPolicies.ok && r.attachedPolicies.value.some((a) => a.arn === p.arn))
      roles.add(key(r.name));
    if (r.role.ok && r.role.value.exists && r.role.value.permissionsBoundaryArn === p.arn)
      roles.add(key(r.name));
  }
  return roles;
}

/** The names of the roles a change touches, read from the source alone: what the collector reads from IAM. */
export function plannedRoleNames(list: ChangeList): string[] {
  const g = gather(list);
  // A role the change creates does not exist yet: reading it would only report it missing today.
  const created = (v: { touches: RoleTouch[] }) =>
    v.touches.some((t) => t.change.kind === "create-role") &&
    !v.touches.some((t) => t.change.kind === "delete-role");
  const names = new Map([...g.touches].filter(([, v]) => !created(v)).map(([k, v]) => [k, v.name]));
  for (const p of list.policies) for (const k of policyRoles(g, p)) if (!names.has(k)) names.set(k, k);
  return [...names.values()].sort();
}

/**
 * Whether the change rewrites or deletes a managed policy: it may be attached to roles outside the source (another
 * stack, the console), so every role ECS uses must be collected for the rule to find those it reaches.
 */
export function changesManagedPolicies(list: ChangeList): boolean {
  return list.policies.length > 0;
}

/**
 * Managed policies the change attaches or sets as a boundary (known ARNs): the collector reads them too, so an
 * attachment the change adds is judged by its document, not reported as never collected.
 */
export function plannedPolicyArns(list: ChangeList): string[] {
  const arns = new Set<string>();
  const add = (v: Fact<string | null> | undefined) => {
    if (v?.ok && typeof v.value === "string" && v.value.startsWith("arn:")) arns.add(v.value);
  };
  for (const { effect: e } of list.touches) {
    if (e?.kind === "attach" && !e.policy.document) add(e.policy.arn);
    if (e?.kind === "only-attached" && e.policyArns.ok)
      for (const arn of e.policyArns.value) add({ ok: true, value: arn });
    if (e?.kind === "define-role") {
      add(e.definition.boundary);
      if (e.definition.attached?.ok)
        for (const arn of e.definition.attached.value) add({ ok: true, value: arn });
    }
  }
  return [...arns].sort();
}

/** A role of another account (a provider alias): the facts of this account say nothing about its use. */
function elsewhere(facts: Facts, touches: RoleTouch[]): string | undefined {
  const arn = touches.map((t) => t.arn).find((a): a is string => a !== undefined);
  const callerAccount = facts.caller.ok ? facts.caller.value.account : undefined;
  return arn && parseArn(arn)?.account !== callerAccount ? arn : undefined;
}

export function applyChanges(facts: Facts, list: ChangeList): PlanFacts {
  const g = gather(list);
  const managedPolicies: PlanFacts["managedPolicies"] = {};
  for (const p of list.policies) managedPolicies[p.arn] = plannedPolicy(p, list.api);
  const today = new Map(facts.roles.map((r) => [key(r.name), r]));
  const touched = new Map([...g.touches].map(([k, v]) => [k, v.name]));
  const reaches = list.policies.map((p) => ({ p, roles: policyRoles(g, p, facts) }));
  for (const { roles } of reaches)
    for (const k of roles) if (!touched.has(k)) touched.set(k, today.get(k)?.name ?? k);

  const roles: PlannedRole[] = [];
  for (const [k, name] of [...touched].sort((a, b) => compareText(a[1], b[1]))) {
    const touches = g.touches.get(k)?.touches ?? [];
    const base = today.get(k);
    const changes = [
      ...touches.map((t) => t.change),
      ...reaches.filter(({ roles }) => roles.has(k)).map(({ p }) => p.change),
    ];
    const after = afterState({ facts, base, name, touches, managedPolicies, api: list.api });
    const other = elsewhere(facts, touches);
    roles.push({ name: base?.name ?? name, ref: other ?? base?.ref ?? name, changes, after });
  }
  return {
    source: list.source,
    ...(list.incomplete ? { incomplete: list.incomplete } : {}),
    roles,
    managedPolicies,
    deletedServices: list.deletedServices,
    ...(list.deployedServices?.length ? { deployedServices: list.deployedServices } : {}),
    unattributed: g.unattributed,
  };
}

/** A managed policy after the change: its new document as the default version, or gone. */
function plannedPolicy(p: PolicyChange, api: string): Fact<ManagedPolicy> {
  if (!p.document)
    return {
      ok: false,
      error: { api, code: "NoSuchEntity", message: `${p.change.address} deletes ${p.arn}` },
    };
  if (!p.document.ok) return p.document;
  return {
    ok: true,
    value: {
      arn: p.arn,
      name: p.name ?? p.arn.split("/").pop() ?? p.arn,
      defaultVersionId: "planned",
      document: p.document,
    },
  };
}
