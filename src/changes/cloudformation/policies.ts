import { roleNameOf } from "../../arn/arn.ts";
import type { Fact, PlannedChange } from "../../facts/types.ts";
import type { Known, PolicyChange, PolicyReach, PolicyRef, RoleEffect, RoleTouch } from "../model.ts";
import { UNKNOWN } from "../model.ts";
import type { ResourceChange } from "./change-set.ts";
import { keepsOld, planned, replaces, type StackScope, touch, valueScope } from "./resource.ts";
import {
  changedAt,
  documentAt,
  nameAt,
  namesAt,
  onlyAllows,
  readable,
  type Side,
  unknownValue,
} from "./values.ts";

/**
 * The resources that give a role its policies from outside it: AWS::IAM::Policy (an inline policy put on each role
 * of its Roles list), AWS::IAM::RolePolicy (one role's inline policy) and AWS::IAM::ManagedPolicy (attached to each
 * role of its Roles list; its physical id is its ARN, and a new PolicyDocument becomes its default version).
 */

export interface PolicyTouches {
  touches: RoleTouch[];
  policies: PolicyChange[];
  reach: PolicyReach[];
}

const none = (): PolicyTouches => ({ touches: [], policies: [], reach: [] });

/** The roles a policy resource names on one side; a name known only after the change set runs is UNKNOWN. */
function rolesAt(change: ResourceChange, side: Side): Roles {
  if (change.type === "AWS::IAM::RolePolicy") {
    const role = nameAt(change, side, "RoleName");
    return role === undefined ? [] : [role === UNKNOWN ? UNKNOWN : roleNameOf(role)];
  }
  const roles = namesAt(change, side, "Roles");
  return roles === UNKNOWN ? UNKNOWN : roles.map((r) => (r === UNKNOWN ? r : roleNameOf(r)));
}

type Roles = Known<string>[] | typeof UNKNOWN;

/** The roles that leave a Roles list; when either side is not known, which ones is not known either. */
function leavingRoles(before: Roles, after: Roles): Roles {
  if (before === UNKNOWN || after === UNKNOWN) return UNKNOWN;
  return before.filter((r) => !after.includes(r));
}

function joiningRoles(before: Roles, after: Roles): Roles {
  if (before === UNKNOWN || after === UNKNOWN) return after === UNKNOWN ? UNKNOWN : after;
  return after.filter((r) => r === UNKNOWN || !before.includes(r));
}

/**
 * A touch of a role the change set names only once it runs: a new or replaced role (which no task holds yet), or
 * any other. Adding a document that only allows can take nothing away from either, so it is left out; anything else
 * cannot be judged.
 */
function toRoles(
  roles: Roles,
  change: PlannedChange,
  effect: RoleEffect,
  added: Fact<unknown> | undefined,
  createsFirst = false,
): RoleTouch[] {
  const list: Known<string>[] = roles === UNKNOWN ? [UNKNOWN] : roles;
  return list.flatMap((role) =>
    role === UNKNOWN && added && onlyAllows(added) ? [] : [touch(role, change, effect, createsFirst)],
  );
}

/** What is unknown about a policy resource described without property values: which roles, and what it says. */
function withoutValues(scope: StackScope, change: ResourceChange): PolicyTouches {
  const out = none();
  if (keepsOld(change) && change.action === "Remove") return out;
  const what = change.type === "AWS::IAM::ManagedPolicy" ? "managed policy" : "inline policy";
  out.touches.push(
    touch(
      UNKNOWN,
      planned(
        scope,
        change,
        change.action === "Remove" ? "detach" : "attach",
        `${change.action === "Remove" ? "removes" : "changes"} the ${what} (described without property values, so the roles it reaches are not known)`,
      ),
    ),
  );
  if (
    change.type === "AWS::IAM::ManagedPolicy" &&
    change.physicalId?.startsWith("arn:") &&
    change.action !== "Add"
  )
    out.policies.push({
      arn: change.physicalId,
      change: planned(
        scope,
        change,
        "policy-document",
        `changes ${change.physicalId} (described without property values)`,
      ),
      document: unknownValue(valueScope(scope, change), "PolicyDocument", "{{changeSet:KNOWN_AFTER_APPLY}}"),
    });
  return out;
}

/** AWS::IAM::Policy and AWS::IAM::RolePolicy: put or delete an inline policy of each role they name. */
export function inlinePolicyTouches(scope: StackScope, change: ResourceChange): PolicyTouches {
  const out = none();
  if (change.action === "Import" || change.action === "SyncWithActual") return out;
  const hasBefore = change.action !== "Add";
  const hasAfter = change.action !== "Remove";
  if ((hasBefore && !readable(change, "before")) || (hasAfter && !readable(change, "after")))
    return withoutValues(scope, change);
  const where = valueScope(scope, change);
  const oldName = hasBefore ? nameAt(change, "before", "PolicyName") : undefined;
  const newName = hasAfter ? nameAt(change, "after", "PolicyName") : undefined;
  const document = hasAfter ? documentAt(where, "after", "PolicyDocument") : undefined;
  const before = hasBefore ? rolesAt(change, "before") : [];
  const after = hasAfter ? rolesAt(change, "after") : [];
  const renewed = replaces(change) || oldName !== newName;
  const docChanged = changedAt(change, "PolicyDocument");
  // The old half of a removal or replacement is deleted unless CloudFormation keeps it.
  if (hasBefore && !keepsOld(change) && typeof oldName === "string") {
    const leaving = !hasAfter || renewed ? before : leavingRoles(before, after);
    const del = planned(scope, change, "delete-inline", `deletes the inline policy ${oldName}`);
    out.touches.push(...toRoles(leaving, del, { kind: "delete-inline", name: oldName }, undefined));
  }
  if (hasAfter) {
    const name = typeof newName === "string" ? newName : `(known after the change set runs) ${where.address}`;
    const joining = renewed || docChanged ? after : joiningRoles(before, after);
    const put = planned(
      scope,
      change,
      "put-inline",
      `${change.action === "Add" ? "adds" : "puts"} the inline policy ${name}`,
    );
    out.touches.push(
      ...toRoles(
        joining,
        put,
        { kind: "put-inline", name, document: document as Fact<unknown> },
        document,
        replaces(change),
      ),
    );
  }
  return out;
}

/** A new managed policy's ARN: built from its name, path and the stack's account, else known only after it runs. */
function createdArn(scope: StackScope, change: ResourceChange): Fact<string> {
  const name = nameAt(change, "after", "ManagedPolicyName");
  const path = nameAt(change, "after", "Path");
  if (typeof name !== "string" || path === UNKNOWN || !scope.account)
    return unknownValue(valueScope(scope, change), "ManagedPolicyName", "{{changeSet:KNOWN_AFTER_APPLY}}");
  return { ok: true, value: `arn:${scope.partition}:iam::${scope.account}:policy${path ?? "/"}${name}` };
}

/** A managed policy updated in place: a new default version, and each role leaving or joining its Roles. */
function updatedManagedPolicy(
  scope: StackScope,
  change: ResourceChange,
  arn: string,
  before: Roles,
  after: Roles,
): PolicyTouches {
  const out = none();
  const document = documentAt(valueScope(scope, change), "after", "PolicyDocument");
  if (changedAt(change, "PolicyDocument"))
    out.policies.push({
      arn,
      change: planned(scope, change, "policy-document", `sets a new default version of ${arn}`),
      document,
    });
  const detach = planned(scope, change, "detach", `detaches ${arn} (Roles)`);
  out.touches.push(
    ...toRoles(
      leavingRoles(before, after),
      detach,
      { kind: "detach", policyArn: { ok: true, value: arn } },
      undefined,
    ),
  );
  const attach = planned(scope, change, "attach", `attaches ${arn} (Roles)`);
  out.touches.push(
    ...toRoles(
      joiningRoles(before, after),
      attach,
      { kind: "attach", policy: { arn: { ok: true, value: arn } } },
      document,
    ),
  );
  return out;
}

/** AWS::IAM::ManagedPolicy: attach to and detach from its Roles, a new default version, or its deletion. */
export function managedPolicyTouches(scope: StackScope, change: ResourceChange): PolicyTouches {
  const out = none();
  if (change.action === "Import" || change.action === "SyncWithActual") return out;
  const hasBefore = change.action !== "Add";
  const hasAfter = change.action !== "Remove";
  if ((hasBefore && !readable(change, "before")) || (hasAfter && !readable(change, "after")))
    return withoutValues(scope, change);
  const before = hasBefore ? rolesAt(change, "before") : [];
  const after = hasAfter ? rolesAt(change, "after") : [];
  const oldArn = hasBefore ? change.physicalId : undefined;
  const renewed = replaces(change) || change.action === "Add";
  for (const side of [before, after] as Roles[])
    if (side !== UNKNOWN && oldArn)
      for (const r of side) if (r !== UNKNOWN) out.reach.push({ policyArn: oldArn, role: r });
  // The old policy goes when removed or replaced (unless kept): detached from its Roles, then deleted.
  if (hasBefore && oldArn && (!hasAfter || renewed) && !keepsOld(change)) {
    out.policies.push({
      arn: oldArn,
      change: planned(scope, change, "delete-policy", `deletes the managed policy ${oldArn}`),
    });
    const detach = planned(scope, change, "detach", `detaches ${oldArn} (the policy is deleted)`);
    out.touches.push(
      ...toRoles(before, detach, { kind: "detach", policyArn: { ok: true, value: oldArn } }, undefined),
    );
  }
  if (!hasAfter) return out;
  if (!renewed) {
    if (!oldArn) return out;
    const updated = updatedManagedPolicy(scope, change, oldArn, before, after);
    return {
      touches: [...out.touches, ...updated.touches],
      policies: [...out.policies, ...updated.policies],
      reach: out.reach,
    };
  }
  // A new policy (an Add, or a replacement's new half): judged by its document, its ARN built when it can be.
  const document = documentAt(valueScope(scope, change), "after", "PolicyDocument");
  const policy: PolicyRef = { arn: createdArn(scope, change), document };
  const attach = planned(
    scope,
    change,
    "attach",
    `attaches the new managed policy ${policy.arn.ok ? policy.arn.value : valueScope(scope, change).address}`,
  );
  out.touches.push(...toRoles(after, attach, { kind: "attach", policy }, document));
  return out;
}
