import {
  type AttachedPolicy,
  type Fact,
  type Facts,
  type InlinePolicy,
  PLACEHOLDER_POLICY_PREFIX,
  type PlanFacts,
  type PlannedRole,
  type RoleDetail,
  type RoleFacts,
} from "../facts/types.ts";
import { knownAfterApply } from "./documents.ts";
import type { PolicyRef, RoleDefinition, RoleEffect, RoleTouch } from "./model.ts";

/**
 * One role's state once a change has run: today's role, then the definition the change gives it (a new role keeps
 * none of today's attachments), then what it removes, what it adds, and last the exclusive lists. Nothing here knows
 * the source's format.
 */

type ExistingDetail = Extract<RoleDetail, { exists: true }>;
type Define = Extract<RoleEffect, { kind: "define-role" }>;

export interface AfterInput {
  facts: Facts;
  base: RoleFacts | undefined;
  name: string;
  touches: RoleTouch[];
  /** Gains the placeholders of policies known only after the change. */
  managedPolicies: PlanFacts["managedPolicies"];
  api: string;
}

interface Working {
  detail: ExistingDetail;
  attached: Fact<AttachedPolicy[]>;
  inline: Fact<InlinePolicy[]>;
}

const attachedList = (arns: string[]): AttachedPolicy[] =>
  arns.map((arn) => ({ arn, name: arn.split("/").pop() ?? arn }));

export function afterState(input: AfterInput): PlannedRole["after"] {
  const { base, name, touches } = input;
  const undescribed = touches.find((t) => t.effect?.kind === "undescribed")?.effect;
  if (undescribed?.kind === "undescribed") return { state: "unknown", reason: undescribed.reason };
  const lifecycle = touches
    .map((t) => t.effect)
    .filter(
      (e): e is Define | { kind: "delete-role" } => e?.kind === "define-role" || e?.kind === "delete-role",
    );
  // One change deletes the role and another creates one of the same name (a move without a `moved` block): the
  // created one is what exists afterwards; the rule still counts the delete.
  const chosen = lifecycle.find((e) => e.kind === "define-role" && e.fresh) ?? lifecycle[0];
  if (chosen?.kind === "delete-role") return { state: "deleted" };
  const define = chosen?.kind === "define-role" ? chosen : undefined;
  if (!define?.fresh) {
    if (!base)
      return {
        state: "unknown",
        reason: `the facts do not include role ${name} (collect with --role ${name}, or take the snapshot with it)`,
      };
    if (!base.role.ok)
      return { state: "unknown", reason: `today's role ${name} could not be read (${base.role.error.code})` };
    if (!base.role.value.exists) return { state: "deleted" };
  }
  const w = starting(input, define);
  if (!w) return { state: "deleted" };
  removals(w, touches);
  additions(w, input);
  exclusives(w, touches);
  return {
    state: "exists",
    role: {
      ref: base?.ref ?? w.detail.arn,
      name: w.detail.name,
      referencedBy: base?.referencedBy ?? [{ kind: "flag" }],
      role: { ok: true, value: w.detail },
      attachedPolicies: w.attached,
      inlinePolicies: w.inline,
    },
  };
}

/** Today's role, or the one the change defines: a fresh one (created, or replaced) has only what the change gives. */
function starting(input: AfterInput, define: Define | undefined): Working | undefined {
  const { base } = input;
  const baseDetail = base?.role.ok && base.role.value.exists ? base.role.value : undefined;
  const detail = define ? definedDetail(input, baseDetail, define) : baseDetail;
  if (!detail) return undefined;
  const fresh = define?.fresh ?? false;
  let attached: Fact<AttachedPolicy[]> = fresh || !base ? { ok: true, value: [] } : base.attachedPolicies;
  let inline: Fact<InlinePolicy[]> = fresh || !base ? { ok: true, value: [] } : base.inlinePolicies;
  const d = define?.definition;
  if (d?.attached)
    attached = d.attached.ok ? { ok: true, value: attachedList(d.attached.value) } : d.attached;
  if (d?.inline) inline = d.inline;
  return { detail, attached, inline };
}

/** The role's trust and boundary as a definition sets them. */
function definedDetail(
  input: AfterInput,
  baseDetail: ExistingDetail | undefined,
  define: Define,
): ExistingDetail {
  const { facts, name, managedPolicies, api } = input;
  const d: RoleDefinition = define.definition;
  const account = baseDetail?.arn.split(":")[4] ?? (facts.caller.ok ? facts.caller.value.account : "");
  const path = d.path ?? baseDetail?.path ?? "/";
  let boundary = baseDetail?.permissionsBoundaryArn;
  if (d.boundary && !d.boundary.ok) {
    // The placeholder's key is the change's address, so two unknown boundaries stay two.
    boundary = `${PLACEHOLDER_POLICY_PREFIX}${boundaryWhere(input.touches, define)}.permissions_boundary`;
    managedPolicies[boundary] = d.boundary;
  } else if (d.boundary) boundary = d.boundary.value ?? undefined;
  const trust = d.trust ?? baseDetail?.trustPolicy;
  return {
    exists: true,
    // The role keeps its name, so findings stay on today's ARN even when a replacement moves its path.
    arn: baseDetail?.arn ?? d.arn ?? `arn:aws:iam::${account}:role${path}${name}`,
    name: baseDetail?.name ?? name,
    path,
    roleId: define.fresh ? "(known after apply)" : (baseDetail?.roleId ?? ""),
    trustPolicy: trust ?? knownAfterApply(api, `${name}: the change does not say the trust policy`),
    ...(boundary ? { permissionsBoundaryArn: boundary } : {}),
  };
}

function boundaryWhere(touches: RoleTouch[], define: Define): string {
  return touches.find((t) => t.effect === define)?.change.address ?? "role";
}

/** Deletes first: a replacement deletes the old half before it creates the new one (or its removal runs last). */
function removals(w: Working, touches: RoleTouch[]): void {
  for (const { effect: e } of touches) {
    if (e?.kind === "detach" && w.attached.ok) {
      const arn = e.policyArn;
      w.attached = arn.ok ? { ok: true, value: w.attached.value.filter((p) => p.arn !== arn.value) } : arn;
    }
    if (e?.kind === "delete-inline" && w.inline.ok)
      w.inline = { ok: true, value: w.inline.value.filter((p) => p.name !== e.name) };
  }
}

/**
 * Whether a removal may run after `by` adds the same policy: one by another change runs in no fixed order (or, in
 * CloudFormation, in the clean-up after every add), and one by the same change runs after it when that change
 * creates first. Either may leave the policy detached, so the add does not restore it.
 */
function undone(touches: RoleTouch[], kind: "detach" | "delete-inline", id: string, by: RoleTouch): boolean {
  return touches.some((t) => {
    const e = t.effect;
    const same =
      (kind === "detach" && e?.kind === "detach" && e.policyArn.ok && e.policyArn.value === id) ||
      (kind === "delete-inline" && e?.kind === "delete-inline" && e.name === id);
    return same && (t.change.address !== by.change.address || by.createsFirst === true);
  });
}

function additions(w: Working, input: AfterInput): void {
  const { touches, managedPolicies } = input;
  for (const t of touches) {
    const e = t.effect;
    if (e?.kind === "attach" && w.attached.ok) {
      const policy = e.policy;
      if (policy.arn.ok && undone(touches, "detach", policy.arn.value, t)) continue;
      const arn = policy.arn.ok ? policy.arn.value : `${PLACEHOLDER_POLICY_PREFIX}${t.change.address}`;
      if (!policy.arn.ok || policy.document) managedPolicies[arn] = placeholder(arn, policy, input.api);
      if (!w.attached.value.some((p) => p.arn === arn))
        w.attached = { ok: true, value: [...w.attached.value, ...attachedList([arn])] };
    }
    if (e?.kind === "put-inline" && w.inline.ok && !undone(touches, "delete-inline", e.name, t))
      w.inline = {
        ok: true,
        value: [...w.inline.value.filter((p) => p.name !== e.name), { name: e.name, document: e.document }],
      };
  }
}

/** A policy the change creates (its document known) or one whose ARN is known only after it. */
function placeholder(arn: string, policy: PolicyRef, api: string): PlanFacts["managedPolicies"][string] {
  if (policy.document?.ok)
    return {
      ok: true as const,
      value: {
        arn,
        name: arn.split("/").pop() ?? arn,
        defaultVersionId: "planned",
        document: policy.document,
      },
    };
  if (policy.document) return policy.document;
  return policy.arn.ok ? knownAfterApply(api, `${arn} is known only after apply`) : policy.arn;
}

/** The exclusive lists run last in effect: whatever else attached, theirs is what stays. */
function exclusives(w: Working, touches: RoleTouch[]): void {
  for (const t of touches) {
    const e = t.effect;
    if (e?.kind === "only-attached")
      w.attached = e.policyArns.ok
        ? {
            ok: true,
            value: attachedList(e.policyArns.value.filter((arn) => !undone(touches, "detach", arn, t))),
          }
        : e.policyArns;
    if (e?.kind === "only-inline" && w.inline.ok) {
      const keep = e.policyNames;
      const current = w.inline.value;
      w.inline = keep.ok
        ? {
            ok: true,
            value: current.filter(
              (p) => keep.value.includes(p.name) && !undone(touches, "delete-inline", p.name, t),
            ),
          }
        : keep;
    }
  }
}
