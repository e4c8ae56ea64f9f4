import { parseArn, roleNameOf } from "../arn/arn.ts";
import {
  type AttachedPolicy,
  type Fact,
  type FactError,
  type Facts,
  type InlinePolicy,
  KNOWN_AFTER_APPLY,
  type ManagedPolicy,
  type PlanFacts,
  type PlannedRole,
  type RoleDetail,
  type RoleFacts,
} from "../facts/types.ts";
import {
  deletedService,
  type PolicyChange,
  planDocument,
  policyChange,
  type RoleEffect,
  type RoleTouch,
  roleTouches,
  UNKNOWN,
  unknownAt,
} from "./changes.ts";
import type { Attributes, Plan } from "./parse.ts";

/**
 * Applies a plan's resource_changes to today's facts: the state of every role the plan touches once `terraform
 * apply` has run. What Terraform knows only after apply stays unknown (an error fact with code KnownAfterApply),
 * never today's value.
 */

type ExistingDetail = Extract<RoleDetail, { exists: true }>;

const key = (name: string) => name.toLowerCase();

/** Where an attached policy or boundary is known only after apply; its managedPolicies entry is the unknown. */
const UNKNOWN_POLICY_PREFIX = "arn:terraform:plan:::known-after-apply/";

const knownAfterApply = (message: string): { ok: false; error: FactError } => ({
  ok: false,
  error: { api: "terraform:plan", code: KNOWN_AFTER_APPLY, message },
});

interface Gathered {
  /** Touches per role (lower-cased name), with the name as the plan spells it. */
  touches: Map<string, { name: string; touches: RoleTouch[] }>;
  unattributed: PlanFacts["unattributed"];
  policies: PolicyChange[];
  deletedServices: PlanFacts["deletedServices"];
  /** Roles each managed policy is attached to or bounds in the plan (before or after), by policy ARN. */
  rolesByPolicy: Map<string, Set<string>>;
}

function gather(plan: Plan): Gathered {
  const g: Gathered = {
    touches: new Map(),
    unattributed: [],
    policies: [],
    deletedServices: [],
    rolesByPolicy: new Map(),
  };
  const attachedIn = (arn: unknown, role: unknown) => {
    if (typeof arn !== "string" || typeof role !== "string") return;
    const roles = g.rolesByPolicy.get(arn) ?? new Set();
    roles.add(key(roleNameOf(role)));
    g.rolesByPolicy.set(arn, roles);
  };
  for (const rc of plan.resourceChanges) {
    for (const t of roleTouches(rc, plan)) {
      if (t.role === UNKNOWN) {
        g.unattributed.push(t.change);
        continue;
      }
      const entry = g.touches.get(key(t.role)) ?? { name: t.role, touches: [] };
      entry.touches.push(t);
      g.touches.set(key(t.role), entry);
    }
    const p = policyChange(rc);
    if (p) g.policies.push(p);
    const s = deletedService(rc);
    if (s) g.deletedServices.push(s);
    for (const v of [rc.before, rc.after] as (Attributes | null)[]) {
      if (!v) continue;
      if (rc.type === "aws_iam_role_policy_attachment") attachedIn(v.policy_arn, v.role);
      if (rc.type === "aws_iam_policy_attachment" && Array.isArray(v.roles))
        for (const r of v.roles) attachedIn(v.policy_arn, r);
      if (rc.type === "aws_iam_role" && Array.isArray(v.managed_policy_arns))
        for (const arn of v.managed_policy_arns) attachedIn(arn, v.name);
      // A boundary caps the role as much as an attached policy grants: a new version of it reaches the role too.
      if (rc.type === "aws_iam_role") attachedIn(v.permissions_boundary, v.name);
    }
  }
  return g;
}

/** Roles (lower-cased names) a rewritten managed policy reaches: attached or a boundary, in the plan or today. */
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

/** The names of the roles a plan touches, read from the plan alone: what `check --plan` collects. */
export function plannedRoleNames(plan: Plan): string[] {
  const g = gather(plan);
  // A role the plan creates does not exist yet: reading it would only report it missing today.
  const created = (v: { touches: RoleTouch[] }) =>
    v.touches.some((t) => t.change.kind === "create-role") &&
    !v.touches.some((t) => t.change.kind === "delete-role");
  const names = new Map([...g.touches].filter(([, v]) => !created(v)).map(([k, v]) => [k, v.name]));
  for (const p of g.policies) for (const k of policyRoles(g, p)) if (!names.has(k)) names.set(k, k);
  return [...names.values()].sort();
}

/**
 * Whether the plan rewrites or deletes a managed policy: it may be attached to roles outside the plan (another
 * stack, the console), so every role ECS uses must be collected for the rule to find those it reaches.
 */
export function changesManagedPolicies(plan: Plan): boolean {
  return gather(plan).policies.length > 0;
}

/**
 * Managed policies the plan attaches or sets as a boundary (known ARNs): the collector reads them too, so an
 * attachment the plan adds is judged by its document, not reported as never collected.
 */
export function plannedPolicyArns(plan: Plan): string[] {
  const arns = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === "string" && v.startsWith("arn:")) arns.add(v);
  };
  for (const { touches } of gather(plan).touches.values())
    for (const { effect: e } of touches) {
      if (e?.kind === "attach" && e.policyArn !== UNKNOWN) add(e.policyArn);
      if (e?.kind === "exclusive-attachments" && e.policyArns !== UNKNOWN) e.policyArns.forEach(add);
      if (e?.kind === "role") {
        add(e.rc.after?.permissions_boundary);
        if (e.configured.managed && Array.isArray(e.rc.after?.managed_policy_arns))
          e.rc.after.managed_policy_arns.forEach(add);
      }
    }
  return [...arns].sort();
}

export function applyPlan(facts: Facts, plan: Plan): PlanFacts {
  const g = gather(plan);
  const managedPolicies: PlanFacts["managedPolicies"] = {};
  for (const p of g.policies) managedPolicies[p.arn] = plannedPolicy(p);
  const today = new Map(facts.roles.map((r) => [key(r.name), r]));
  const touched = new Map([...g.touches].map(([k, v]) => [k, v.name]));
  for (const p of g.policies)
    for (const k of policyRoles(g, p, facts)) if (!touched.has(k)) touched.set(k, today.get(k)?.name ?? k);

  const roles: PlannedRole[] = [];
  for (const [k, name] of [...touched].sort((a, b) => a[1].localeCompare(b[1]))) {
    const touches = g.touches.get(k)?.touches ?? [];
    const base = today.get(k);
    const changes = [
      ...touches.map((t) => t.change),
      ...g.policies.filter((p) => policyRoles(g, p, facts).has(k)).map((p) => p.change),
    ];
    const after = afterState(facts, base, name, touches, managedPolicies);
    // A role of another account (a provider alias): the facts of this account say nothing about its use.
    const planArn = touches
      .flatMap((t) => (t.effect?.kind === "role" ? [t.effect.rc.before?.arn, t.effect.rc.after?.arn] : []))
      .find((a): a is string => typeof a === "string" && a.startsWith("arn:"));
    const callerAccount = facts.caller.ok ? facts.caller.value.account : undefined;
    const elsewhere = planArn && parseArn(planArn)?.account !== callerAccount ? planArn : undefined;
    roles.push({ name: base?.name ?? name, ref: elsewhere ?? base?.ref ?? name, changes, after });
  }
  return {
    file: plan.file,
    formatVersion: plan.formatVersion,
    ...(plan.terraformVersion ? { terraformVersion: plan.terraformVersion } : {}),
    errored: plan.errored,
    roles,
    managedPolicies,
    deletedServices: g.deletedServices,
    unattributed: g.unattributed,
  };
}

/** An aws_iam_policy after apply: its new document as the default version, or gone. */
function plannedPolicy(p: PolicyChange): Fact<ManagedPolicy> {
  if (!p.document)
    return {
      ok: false,
      error: { api: "terraform:plan", code: "NoSuchEntity", message: `${p.change.address} deletes ${p.arn}` },
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

function afterState(
  facts: Facts,
  base: RoleFacts | undefined,
  name: string,
  touches: RoleTouch[],
  managedPolicies: PlanFacts["managedPolicies"],
): PlannedRole["after"] {
  const roleEffects = touches
    .map((t) => t.effect)
    .filter((e): e is Extract<RoleEffect, { kind: "role" }> => e?.kind === "role");
  // One resource deletes the role and another creates one of the same name (a move without a `moved` block): the
  // created one is what exists afterwards; the rule still counts the delete.
  const roleEffect = roleEffects.find((e) => e.rc.actions.includes("create")) ?? roleEffects[0];
  const rc = roleEffect?.rc;
  const deletes = rc?.actions.includes("delete") ?? false;
  // Created or replaced: the provider's delete detached every managed policy and deleted every inline one, so only
  // what this plan attaches or puts is there afterwards.
  const fresh = rc?.actions.includes("create") ?? false;
  if (deletes && !fresh) return { state: "deleted" };
  if (!fresh) {
    if (!base)
      return {
        state: "unknown",
        reason: `the facts do not include role ${name} (collect with --role ${name}, or take the snapshot with it)`,
      };
    if (!base.role.ok)
      return { state: "unknown", reason: `today's role ${name} could not be read (${base.role.error.code})` };
    if (!base.role.value.exists) return { state: "deleted" };
  }
  const baseDetail = base?.role.ok && base.role.value.exists ? base.role.value : undefined;
  const detail = rc ? plannedDetail(facts, baseDetail, name, rc, fresh, managedPolicies) : baseDetail;
  if (!detail) return { state: "deleted" };

  let attached: Fact<AttachedPolicy[]> = fresh || !base ? { ok: true, value: [] } : base.attachedPolicies;
  let inline: Fact<InlinePolicy[]> = fresh || !base ? { ok: true, value: [] } : base.inlinePolicies;
  // managed_policy_arns / inline_policy count only where the configuration sets them (else computed copies).
  if (rc && roleEffect?.configured.managed) {
    attached = unknownAt(rc, "managed_policy_arns")
      ? knownAfterApply(`${rc.address}.managed_policy_arns is known only after apply`)
      : { ok: true, value: attachedList(rc.after?.managed_policy_arns) };
  }
  if (rc && roleEffect?.configured.inline) {
    inline = unknownAt(rc, "inline_policy")
      ? knownAfterApply(`${rc.address}.inline_policy is known only after apply`)
      : { ok: true, value: inlineBlocks(rc.address, rc.after?.inline_policy) };
  }
  // Deletes first, then creates: Terraform destroys the old half of a replacement before creating the new one.
  for (const { effect: e, change } of touches) {
    if (e?.kind === "detach" && attached.ok)
      attached =
        e.policyArn === UNKNOWN
          ? knownAfterApply(`${change.address}: the detached policy is known only after apply`)
          : { ok: true, value: attached.value.filter((p) => p.arn !== e.policyArn) };
    if (e?.kind === "delete-inline" && inline.ok)
      inline = { ok: true, value: inline.value.filter((p) => p.name !== e.name) };
  }
  // A detach of the same policy by another resource runs in no fixed order with this attach, and one by the same
  // resource replaced create_before_destroy runs after it: either may leave the policy detached, so the attach
  // does not restore it. Likewise an inline policy of the same name.
  const undone = (kind: "detach" | "delete-inline", id: unknown, change: RoleTouch["change"]) =>
    touches.some(
      (t) =>
        t.effect?.kind === kind &&
        (kind === "detach"
          ? (t.effect as { policyArn: unknown }).policyArn === id
          : (t.effect as { name: string }).name === id) &&
        (t.change.address !== change.address || change.actions[0] === "create"),
    );
  for (const { effect: e, change } of touches) {
    if (e?.kind === "attach" && e.policyArn !== UNKNOWN && undone("detach", e.policyArn, change)) continue;
    if (e?.kind === "put-inline" && undone("delete-inline", e.name, change)) continue;
    if (e?.kind === "attach" && attached.ok) {
      let arn: string;
      if (e.policyArn === UNKNOWN) {
        arn = `${UNKNOWN_POLICY_PREFIX}${change.address}`;
        managedPolicies[arn] = knownAfterApply(`${change.address}.policy_arn is known only after apply`);
      } else arn = e.policyArn;
      if (!attached.value.some((p) => p.arn === arn))
        attached = { ok: true, value: [...attached.value, { arn, name: arn.split("/").pop() ?? arn }] };
    }
    if (e?.kind === "put-inline" && inline.ok)
      inline = {
        ok: true,
        value: [...inline.value.filter((p) => p.name !== e.name), { name: e.name, document: e.document }],
      };
  }
  // The …_exclusive resources run last in effect: whatever else attached, their list is what stays.
  for (const { effect: e, change } of touches) {
    if (e?.kind === "exclusive-attachments")
      attached =
        e.policyArns === UNKNOWN
          ? knownAfterApply(`${change.address}.policy_arns is known only after apply`)
          : { ok: true, value: attachedList(e.policyArns.filter((arn) => !undone("detach", arn, change))) };
    if (e?.kind === "exclusive-inline" && inline.ok) {
      const keep = e.policyNames;
      inline =
        keep === UNKNOWN
          ? knownAfterApply(`${change.address}.policy_names is known only after apply`)
          : {
              ok: true,
              value: inline.value.filter(
                (p) => keep.includes(p.name) && !undone("delete-inline", p.name, change),
              ),
            };
    }
  }
  return {
    state: "exists",
    role: {
      ref: base?.ref ?? detail.arn,
      name: detail.name,
      referencedBy: base?.referencedBy ?? [{ kind: "flag" }],
      role: { ok: true, value: detail },
      attachedPolicies: attached,
      inlinePolicies: inline,
    },
  };
}

/** The role's trust and boundary after an aws_iam_role create, replace or update. */
function plannedDetail(
  facts: Facts,
  baseDetail: ExistingDetail | undefined,
  name: string,
  rc: NonNullable<Extract<RoleEffect, { kind: "role" }>["rc"]>,
  fresh: boolean,
  managedPolicies: PlanFacts["managedPolicies"],
): ExistingDetail | undefined {
  if (!fresh && !rc.actions.includes("update")) return baseDetail;
  const account = baseDetail?.arn.split(":")[4] ?? (facts.caller.ok ? facts.caller.value.account : "");
  const path = typeof rc.after?.path === "string" ? rc.after.path : (baseDetail?.path ?? "/");
  let boundary: string | undefined;
  if (unknownAt(rc, "permissions_boundary")) {
    boundary = `${UNKNOWN_POLICY_PREFIX}${rc.address}.permissions_boundary`;
    managedPolicies[boundary] = knownAfterApply(
      `${rc.address}.permissions_boundary is known only after apply`,
    );
  } else if (typeof rc.after?.permissions_boundary === "string" && rc.after.permissions_boundary)
    boundary = rc.after.permissions_boundary;
  return {
    exists: true,
    // The role keeps its name, so findings stay on today's ARN even when a replacement moves its path.
    arn:
      baseDetail?.arn ??
      (typeof rc.after?.arn === "string" ? rc.after.arn : `arn:aws:iam::${account}:role${path}${name}`),
    name: baseDetail?.name ?? name,
    path,
    roleId: fresh ? "(known after apply)" : (baseDetail?.roleId ?? ""),
    trustPolicy: planDocument(
      unknownAt(rc, "assume_role_policy") ? UNKNOWN : rc.after?.assume_role_policy,
      rc.address,
      "assume_role_policy",
    ),
    ...(boundary ? { permissionsBoundaryArn: boundary } : {}),
  };
}

function attachedList(arns: unknown): AttachedPolicy[] {
  return (Array.isArray(arns) ? arns : [])
    .filter((a): a is string => typeof a === "string")
    .map((arn) => ({ arn, name: arn.split("/").pop() ?? arn }));
}

/** inline_policy blocks; the provider reads "no inline policies" as one block with an empty name and policy. */
function inlineBlocks(address: string, blocks: unknown): InlinePolicy[] {
  return (Array.isArray(blocks) ? (blocks as Attributes[]) : [])
    .filter((b) => typeof b.name === "string" && b.name)
    .map((b) => ({
      name: b.name as string,
      document: planDocument(b.policy, address, `inline_policy["${String(b.name)}"].policy`),
    }));
}
