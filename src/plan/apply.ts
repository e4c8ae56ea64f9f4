import { roleNameOf } from "../analysis/arn.ts";
import {
  type AttachedPolicy,
  type Fact,
  type Facts,
  type InlinePolicy,
  KNOWN_AFTER_APPLY,
  type ManagedPolicy,
  type PlanFacts,
  type PlannedChange,
  type PlannedRole,
  type RoleDetail,
  type RoleFacts,
} from "../facts/types.ts";
import {
  deletedService,
  type Known,
  type PolicyChange,
  planDocument,
  policyChange,
  type RoleEffect,
  type RoleTouch,
  roleTouches,
  UNKNOWN,
} from "./changes.ts";
import type { Plan } from "./parse.ts";

/**
 * Applies a plan's resource_changes to today's facts: the state of every role the plan touches once `terraform
 * apply` has run. What Terraform knows only after apply stays unknown (an error fact with code KnownAfterApply),
 * never today's value.
 */

const key = (name: string) => name.toLowerCase();

/** The placeholder ARN of a policy known only after apply; its Facts entry is the KnownAfterApply error. */
function unknownPolicyArn(address: string): string {
  return `arn:terraform:plan:::known-after-apply/${address}`;
}

const knownAfterApply = (
  message: string,
): { ok: false; error: { api: string; code: string; message: string } } => ({
  ok: false,
  error: { api: "terraform:plan", code: KNOWN_AFTER_APPLY, message },
});

interface Gathered {
  touches: Map<string, RoleTouch[]>;
  unattributed: PlannedChange[];
  policies: PolicyChange[];
  deletedServices: PlanFacts["deletedServices"];
  displayName: Map<string, string>;
}

function gather(plan: Plan): Gathered {
  const touches = new Map<string, RoleTouch[]>();
  const displayName = new Map<string, string>();
  const unattributed: PlannedChange[] = [];
  const policies: PolicyChange[] = [];
  const deletedServices: PlanFacts["deletedServices"] = [];
  for (const rc of plan.resourceChanges) {
    for (const t of roleTouches(rc, plan)) {
      if (t.role === UNKNOWN) {
        unattributed.push(t.change);
        continue;
      }
      const list = touches.get(key(t.role)) ?? [];
      list.push(t);
      touches.set(key(t.role), list);
      if (!displayName.has(key(t.role))) displayName.set(key(t.role), t.role);
    }
    const p = policyChange(rc);
    if (p) policies.push(p);
    const s = deletedService(rc);
    if (s) deletedServices.push(s);
  }
  return { touches, unattributed, policies, deletedServices, displayName };
}

/** Every policy ARN the plan's attachments or roles mention for a role, today or after apply (no facts needed). */
function attachmentsInPlan(plan: Plan): Map<string, Set<string>> {
  const byPolicy = new Map<string, Set<string>>();
  const add = (arn: unknown, role: unknown) => {
    if (typeof arn !== "string" || typeof role !== "string") return;
    const set = byPolicy.get(arn) ?? new Set();
    set.add(roleNameOf(role));
    byPolicy.set(arn, set);
  };
  for (const rc of plan.resourceChanges) {
    for (const v of [rc.before, rc.after]) {
      if (!v) continue;
      if (rc.type === "aws_iam_role_policy_attachment") add(v.policy_arn, v.role);
      if (rc.type === "aws_iam_policy_attachment" && Array.isArray(v.roles))
        for (const r of v.roles) add(v.policy_arn, r);
      if (rc.type === "aws_iam_role" && Array.isArray(v.managed_policy_arns))
        for (const arn of v.managed_policy_arns) add(arn, v.name);
    }
  }
  return byPolicy;
}

/** The names of the roles a plan touches, read from the plan alone: what `check --plan` collects. */
export function plannedRoleNames(plan: Plan): string[] {
  const { touches, policies, displayName } = gather(plan);
  const names = new Map([...touches.keys()].map((k) => [k, displayName.get(k) ?? k]));
  const byPolicy = attachmentsInPlan(plan);
  for (const p of policies)
    for (const r of byPolicy.get(p.arn) ?? []) if (!names.has(key(r))) names.set(key(r), r);
  return [...names.values()].sort();
}

export function applyPlan(facts: Facts, plan: Plan): PlanFacts {
  const g = gather(plan);
  const managedPolicies: PlanFacts["managedPolicies"] = {};
  for (const p of g.policies) {
    managedPolicies[p.arn] = p.document
      ? p.document.ok
        ? {
            ok: true,
            value: {
              arn: p.arn,
              name: p.name ?? p.arn.split("/").pop() ?? p.arn,
              defaultVersionId: "planned",
              document: p.document,
            },
          }
        : p.document
      : {
          ok: false,
          error: {
            api: "terraform:plan",
            code: "NoSuchEntity",
            message: `${p.change.address} deletes ${p.arn}`,
          },
        };
  }
  const today = new Map(facts.roles.map((r) => [key(r.name), r]));
  // Roles whose policy the plan rewrites: attached today (facts) or in the plan's own attachments.
  const byPolicy = attachmentsInPlan(plan);
  const touched = new Map<string, string>([...g.touches.keys()].map((k) => [k, g.displayName.get(k) ?? k]));
  for (const p of g.policies) {
    for (const r of byPolicy.get(p.arn) ?? []) if (!touched.has(key(r))) touched.set(key(r), r);
    for (const r of facts.roles)
      if (
        r.attachedPolicies.ok &&
        r.attachedPolicies.value.some((a) => a.arn === p.arn) &&
        !touched.has(key(r.name))
      )
        touched.set(key(r.name), r.name);
  }
  const roles: PlannedRole[] = [];
  for (const [k, name] of [...touched].sort((a, b) => a[1].localeCompare(b[1]))) {
    const touches = g.touches.get(k) ?? [];
    const base = today.get(k);
    const changes = touches.map((t) => t.change);
    for (const p of g.policies)
      if (
        (byPolicy.get(p.arn) && [...(byPolicy.get(p.arn) ?? [])].some((r) => key(r) === k)) ||
        (base?.attachedPolicies.ok && base.attachedPolicies.value.some((a) => a.arn === p.arn))
      )
        changes.push(p.change);
    const after = afterState(facts, base, name, touches, managedPolicies);
    roles.push({ name: base?.name ?? name, ref: base?.ref ?? name, changes, after });
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

function afterState(
  facts: Facts,
  base: RoleFacts | undefined,
  name: string,
  touches: RoleTouch[],
  managedPolicies: PlanFacts["managedPolicies"],
): PlannedRole["after"] {
  const effects = touches.flatMap((t) => (t.effect ? [t.effect] : []));
  const roleEffect = effects.find((e): e is Extract<RoleEffect, { kind: "role" }> => e.kind === "role");
  const rc = roleEffect?.rc;
  const deletes = rc?.actions.includes("delete") ?? false;
  const creates = rc?.actions.includes("create") ?? false;
  if (deletes && !creates) return { state: "deleted" };
  // Created or replaced: the provider's delete detached everything, so only what this plan attaches is there.
  const fresh = creates;
  if (!fresh && !base)
    return {
      state: "unknown",
      reason: `the facts do not include role ${name} (collect with --role ${name}, or take the snapshot with it)`,
    };
  if (!fresh && base && !base.role.ok)
    return { state: "unknown", reason: `today's role ${name} could not be read (${base.role.error.code})` };
  const baseDetail = base?.role.ok && base.role.value.exists ? base.role.value : undefined;
  if (!fresh && !baseDetail) return { state: "deleted" };

  const account = baseDetail
    ? baseDetail.arn.split(":")[4]
    : facts.caller.ok
      ? facts.caller.value.account
      : "";
  let detail: Extract<RoleDetail, { exists: true }>;
  if (rc && (fresh || rc.actions.includes("update"))) {
    const path = typeof rc.after?.path === "string" ? rc.after.path : (baseDetail?.path ?? "/");
    const boundary =
      rc.afterUnknown.permissions_boundary === true
        ? unknownPolicyArn(`${rc.address}.permissions_boundary`)
        : typeof rc.after?.permissions_boundary === "string" && rc.after.permissions_boundary
          ? rc.after.permissions_boundary
          : undefined;
    if (boundary?.startsWith("arn:terraform:plan:::known-after-apply/"))
      managedPolicies[boundary] = knownAfterApply(
        `${rc.address}.permissions_boundary is known only after apply`,
      );
    detail = {
      exists: true,
      arn:
        typeof rc.after?.arn === "string"
          ? rc.after.arn
          : (baseDetail?.arn ?? `arn:aws:iam::${account}:role${path}${name}`),
      name: baseDetail?.name ?? name,
      path,
      roleId: fresh ? "(known after apply)" : (baseDetail?.roleId ?? ""),
      trustPolicy: planDocument(
        rc.afterUnknown.assume_role_policy === true ? UNKNOWN : rc.after?.assume_role_policy,
        rc.address,
        "assume_role_policy",
      ),
      ...(boundary ? { permissionsBoundaryArn: boundary } : {}),
    };
  } else {
    detail = baseDetail as Extract<RoleDetail, { exists: true }>;
  }

  let attached: Fact<AttachedPolicy[]> = fresh
    ? { ok: true, value: [] }
    : (base as RoleFacts).attachedPolicies;
  let inline: Fact<InlinePolicy[]> = fresh ? { ok: true, value: [] } : (base as RoleFacts).inlinePolicies;
  // managed_policy_arns / inline_policy count only where the configuration sets them (else computed copies).
  if (rc && roleEffect?.configured.managed) {
    const arns = rc.afterUnknown.managed_policy_arns === true ? UNKNOWN : rc.after?.managed_policy_arns;
    attached =
      arns === UNKNOWN
        ? knownAfterApply(`${rc.address}.managed_policy_arns is known only after apply`)
        : { ok: true, value: toAttached(arns, rc.address, managedPolicies) };
  }
  if (rc && roleEffect?.configured.inline) {
    if (rc.afterUnknown.inline_policy === true)
      inline = knownAfterApply(`${rc.address}.inline_policy is known only after apply`);
    else {
      const blocks = Array.isArray(rc.after?.inline_policy)
        ? (rc.after.inline_policy as Record<string, unknown>[])
        : [];
      // The provider reads "no inline policies" as one block with an empty name and policy.
      inline = {
        ok: true,
        value: blocks
          .filter((b) => typeof b.name === "string" && b.name)
          .map((b) => ({
            name: b.name as string,
            document: planDocument(b.policy, rc.address, `inline_policy[${String(b.name)}]`),
          })),
      };
    }
  }
  // Deletes first, then creates: Terraform destroys the old half of a replacement before creating the new one.
  for (const e of effects) {
    if (e.kind === "detach" && attached.ok) {
      if (e.policyArn === UNKNOWN) attached = knownAfterApply("a detached policy is known only after apply");
      else attached = { ok: true, value: attached.value.filter((p) => p.arn !== e.policyArn) };
    }
    if (e.kind === "delete-inline" && inline.ok)
      inline = { ok: true, value: inline.value.filter((p) => p.name !== e.name) };
  }
  for (const [i, e] of effects.entries()) {
    if (e.kind === "attach" && attached.ok) {
      const arn =
        e.policyArn === UNKNOWN
          ? unknownPolicyArn(`${touches[i]?.change.address ?? "attachment"}.policy_arn`)
          : e.policyArn;
      if (e.policyArn === UNKNOWN)
        managedPolicies[arn] = knownAfterApply(
          `${touches.find((t) => t.effect === e)?.change.address}.policy_arn is known only after apply`,
        );
      if (!attached.value.some((p) => p.arn === arn))
        attached = { ok: true, value: [...attached.value, { arn, name: arn.split("/").pop() ?? arn }] };
    }
    if (e.kind === "put-inline" && inline.ok)
      inline = {
        ok: true,
        value: [...inline.value.filter((p) => p.name !== e.name), { name: e.name, document: e.document }],
      };
  }
  for (const e of effects) {
    if (e.kind === "exclusive-attachments")
      attached =
        e.policyArns === UNKNOWN
          ? knownAfterApply("the exclusive policy_arns are known only after apply")
          : { ok: true, value: toAttached(e.policyArns, "", managedPolicies) };
    if (e.kind === "exclusive-inline" && inline.ok) {
      const keep = e.policyNames;
      inline =
        keep === UNKNOWN
          ? knownAfterApply("the exclusive policy_names are known only after apply")
          : { ok: true, value: inline.value.filter((p) => keep.includes(p.name)) };
    }
  }
  const role: RoleFacts = {
    ref: base?.ref ?? detail.arn,
    name: detail.name,
    referencedBy: base?.referencedBy ?? [{ kind: "flag" }],
    role: { ok: true, value: detail },
    attachedPolicies: attached,
    inlinePolicies: inline,
  };
  return { state: "exists", role };
}

function toAttached(
  arns: unknown,
  address: string,
  managedPolicies: PlanFacts["managedPolicies"],
): AttachedPolicy[] {
  void address;
  void managedPolicies;
  return (Array.isArray(arns) ? arns : [])
    .filter((a): a is string => typeof a === "string")
    .map((arn) => ({ arn, name: arn.split("/").pop() ?? arn }));
}

/** Today's managed policies with the plan's new documents over them: what the after-state is evaluated against. */
export function afterManagedPolicies(facts: Facts): Record<string, Fact<ManagedPolicy>> {
  return { ...facts.managedPolicies, ...(facts.plan?.managedPolicies ?? {}) };
}

export type { Known };
