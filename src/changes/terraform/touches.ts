import { roleNameOf } from "../../arn/arn.ts";
import type { Fact, InlinePolicy, PlannedChange } from "../../facts/types.ts";
import { documentFromText, knownAfterApply, sameJson } from "../documents.ts";
import type { Known, RoleDefinition, RoleTouch } from "../model.ts";
import { UNKNOWN } from "../model.ts";
import { configures } from "./configuration.ts";
import type { Attributes, Plan, ResourceChange } from "./parse.ts";

/**
 * What each resource change of a Terraform plan does to infrastructure roles, in the change model's terms: the
 * resource types of the AWS provider that change a role's trust, boundary, attachments or inline policies
 * (DESIGN.md, "The change gate").
 */

export const API = "terraform:plan";

const isDelete = (a: string[]) => a.includes("delete");
const isCreate = (a: string[]) => a.includes("create");
export const isReplace = (a: string[]) => isDelete(a) && isCreate(a);
/** `forget` (a `removed` block with destroy = false) drops the object from state and leaves it in AWS. */
export const isNoop = (a: string[]) => a.every((x) => x === "no-op" || x === "read" || x === "forget");

/**
 * Whether any part of an attribute is known only after apply. jsonplan marks a whole value `true`; inside a list or
 * set it keeps the element's place (a null in `after`) and marks that index (`[false, true]`), inside an object block
 * the key (`[{"policy": true}]`): any of these leaves the attribute undecided.
 */
export function unknownAt(rc: ResourceChange, key: string): boolean {
  return rc.afterUnknown["*"] === true || anyTrue(rc.afterUnknown[key]);
}

function anyTrue(v: unknown): boolean {
  if (v === true) return true;
  if (Array.isArray(v)) return v.some(anyTrue);
  if (typeof v === "object" && v !== null) return Object.values(v).some(anyTrue);
  return false;
}

/** An attribute of `after`, UNKNOWN when Terraform left it out as known after apply. */
export function afterValue(rc: ResourceChange, key: string): unknown {
  if (unknownAt(rc, key)) return UNKNOWN;
  return rc.after?.[key];
}

export function str(v: unknown): Known<string> | undefined {
  if (v === UNKNOWN) return UNKNOWN;
  return typeof v === "string" && v ? v : undefined;
}

function strings(v: unknown, rc: ResourceChange, key: string): Known<string[]> {
  if (v === UNKNOWN || unknownAt(rc, key)) return UNKNOWN;
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function names(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** A value known only after apply, said the way Terraform says it: `<address>.<attribute> is known only after apply`. */
export function laterAt(address: string, attribute: string) {
  return knownAfterApply(API, `${address}.${attribute} is known only after apply`);
}

/** A known value, or the error a value known only after apply becomes. */
function known<T>(value: Known<T>, unknownError: () => Fact<T>): Fact<T> {
  return value === UNKNOWN ? unknownError() : { ok: true, value };
}

/** A policy document as the plan writes it: a JSON string (the provider's normalised one, or the configuration's). */
export function planDocument(value: unknown, address: string, attribute: string): Fact<unknown> {
  if (value === UNKNOWN) return laterAt(address, attribute);
  return documentFromText(API, value, `${address}.${attribute}`);
}

/** The role a change names: after apply when known, else before (a delete, or the old half of a replace). */
function roleOf(rc: ResourceChange, key: string): Known<string> | undefined {
  const after = rc.after ? str(afterValue(rc, key)) : undefined;
  if (after !== undefined && after !== UNKNOWN) return roleNameOf(after);
  const before = str(rc.before?.[key]);
  if (before !== undefined && before !== UNKNOWN) return roleNameOf(before);
  return after;
}

/**
 * The role the new half of a change names (a create, update or replace): after apply only. Falling back to before
 * would re-attach to today's role what the plan moves to a role known only after apply (`role = aws_iam_role.x.id`).
 */
function newRoleOf(rc: ResourceChange, key: string): Known<string> {
  const after = str(afterValue(rc, key));
  return after === undefined || after === UNKNOWN ? UNKNOWN : roleNameOf(after);
}

export function planned(rc: ResourceChange, kind: PlannedChange["kind"], summary: string): PlannedChange {
  return {
    address: rc.address,
    location: { format: "terraform", address: rc.address },
    type: rc.type,
    actions: rc.actions,
    kind,
    summary,
  };
}

/** A touch of one resource change; a create_before_destroy change (create listed first) deletes last. */
function touch(
  rc: ResourceChange,
  role: Known<string>,
  change: PlannedChange,
  effect?: RoleTouch["effect"],
): RoleTouch {
  return {
    role,
    change,
    ...(effect ? { effect } : {}),
    ...(rc.actions[0] === "create" ? { createsFirst: true } : {}),
  };
}

function verb(actions: string[]): string {
  if (isReplace(actions)) return "replaces";
  if (isDelete(actions)) return "deletes";
  if (isCreate(actions)) return "creates";
  return "updates";
}

/**
 * Whether a role's managed_policy_arns or inline_policy says what the role will have: the configuration sets it, or
 * an in-place update changes it. An unset Optional+Computed attribute keeps its prior value in a plan, so a change
 * means the configuration sets it even where jsonconfig does not show it (a `dynamic` block), and the provider's
 * update applies the difference.
 */
export function setsPolicies(
  rc: ResourceChange,
  plan: Plan,
  key: "managed_policy_arns" | "inline_policy",
): boolean {
  if (configures(plan.configuration, rc, key) === true) return true;
  const update = rc.actions.length === 1 && rc.actions[0] === "update";
  return update && (unknownAt(rc, key) || !sameJson(rc.before?.[key], rc.after?.[key]));
}

/** What an aws_iam_role update changes, in the order a reader cares about. */
function updateKinds(rc: ResourceChange, plan: Plan): { kind: PlannedChange["kind"]; summary: string }[] {
  const kinds: { kind: PlannedChange["kind"]; summary: string }[] = [];
  const changed = (key: string) => unknownAt(rc, key) || !sameJson(rc.before?.[key], rc.after?.[key]);
  if (changed("assume_role_policy")) kinds.push({ kind: "trust", summary: "rewrites the trust policy" });
  if (changed("permissions_boundary"))
    kinds.push({
      kind: "boundary",
      summary: rc.after?.permissions_boundary
        ? `sets the permissions boundary to ${rc.after.permissions_boundary}`
        : unknownAt(rc, "permissions_boundary")
          ? "sets a permissions boundary known only after apply"
          : "removes the permissions boundary",
    });
  if (setsPolicies(rc, plan, "managed_policy_arns") && changed("managed_policy_arns"))
    kinds.push({ kind: "attach", summary: "changes managed_policy_arns (the role's attached policies)" });
  if (setsPolicies(rc, plan, "inline_policy") && changed("inline_policy"))
    kinds.push({ kind: "put-inline", summary: "changes inline_policy (the role's inline policies)" });
  if (changed("tags") || changed("tags_all")) kinds.push({ kind: "tags", summary: "changes tags" });
  if (!kinds.length) kinds.push({ kind: "other", summary: "updates other attributes (no change to access)" });
  return kinds;
}

function roleKinds(rc: ResourceChange, plan: Plan): { kind: PlannedChange["kind"]; summary: string }[] {
  const a = rc.actions;
  if (isReplace(a))
    return [
      {
        kind: "replace-role",
        summary: `replaces the role (${a.join(" then ")}${rc.actionReason ? `, ${rc.actionReason}` : ""}): it is deleted, with its attachments, and created again`,
      },
    ];
  if (isDelete(a)) return [{ kind: "delete-role", summary: "deletes the role" }];
  if (isCreate(a)) return [{ kind: "create-role", summary: "creates the role" }];
  return updateKinds(rc, plan);
}

/** The role as an aws_iam_role create, replace or update leaves it (managed/inline only where they say it all). */
function roleDefinition(rc: ResourceChange, plan: Plan): RoleDefinition {
  const a = rc.address;
  const after = rc.after ?? {};
  const boundary: Fact<string | null> = unknownAt(rc, "permissions_boundary")
    ? laterAt(a, "permissions_boundary")
    : {
        ok: true,
        value:
          typeof after.permissions_boundary === "string" && after.permissions_boundary
            ? after.permissions_boundary
            : null,
      };
  const attached = (): Fact<string[]> =>
    unknownAt(rc, "managed_policy_arns")
      ? laterAt(a, "managed_policy_arns")
      : { ok: true, value: names(after.managed_policy_arns) };
  const inline = (): Fact<InlinePolicy[]> =>
    unknownAt(rc, "inline_policy")
      ? laterAt(a, "inline_policy")
      : { ok: true, value: inlineBlocks(a, after.inline_policy) };
  return {
    ...(typeof after.arn === "string" ? { arn: after.arn } : {}),
    ...(typeof after.path === "string" ? { path: after.path } : {}),
    trust: planDocument(
      unknownAt(rc, "assume_role_policy") ? UNKNOWN : after.assume_role_policy,
      a,
      "assume_role_policy",
    ),
    boundary,
    // managed_policy_arns / inline_policy count only where the configuration sets them (else computed copies).
    ...(setsPolicies(rc, plan, "managed_policy_arns") ? { attached: attached() } : {}),
    ...(setsPolicies(rc, plan, "inline_policy") ? { inline: inline() } : {}),
  };
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

/** The role's ARN as the plan writes it: a role of another account (a provider alias) is told by it. */
function roleArnIn(rc: ResourceChange): string | undefined {
  return [rc.before?.arn, rc.after?.arn].find(
    (v): v is string => typeof v === "string" && v.startsWith("arn:"),
  );
}

function iamRole(rc: ResourceChange, plan: Plan): RoleTouch[] {
  const role = roleOf(rc, "name") ?? UNKNOWN;
  const arn = roleArnIn(rc);
  const withArn = (t: RoleTouch): RoleTouch => (arn ? { ...t, arn } : t);
  const oldName = str(rc.before?.name);
  if (isReplace(rc.actions) && oldName && oldName !== UNKNOWN && role !== oldName) {
    // A rename replaces the role: the old name is deleted, a role of the new name is created.
    const deleted = planned(
      rc,
      "delete-role",
      `deletes the role (replaced by ${role === UNKNOWN ? "a role named after apply" : role})`,
    );
    const touches: RoleTouch[] = [
      withArn({ role: oldName, change: deleted, effect: { kind: "delete-role" } }),
    ];
    if (role !== UNKNOWN)
      touches.push(
        withArn({
          role,
          change: planned(rc, "create-role", `creates the role (replacing ${oldName})`),
          effect: {
            kind: "define-role",
            fresh: true,
            definition: roleDefinition({ ...rc, actions: ["create"] }, plan),
          },
        }),
      );
    return touches;
  }
  const effect: RoleTouch["effect"] =
    isDelete(rc.actions) && !isCreate(rc.actions)
      ? { kind: "delete-role" }
      : { kind: "define-role", fresh: isCreate(rc.actions), definition: roleDefinition(rc, plan) };
  return roleKinds(rc, plan).map((k, i) =>
    withArn({ role, change: planned(rc, k.kind, k.summary), ...(i === 0 ? { effect } : {}) }),
  );
}

function roleAttachment(rc: ResourceChange): RoleTouch[] {
  const a = rc.actions;
  const touches: RoleTouch[] = [];
  if (isDelete(a) && rc.before) {
    const arn = str(rc.before.policy_arn) ?? UNKNOWN;
    const change = planned(
      rc,
      "detach",
      `${verb(a)} the attachment: detaches ${String(arn === UNKNOWN ? "a policy" : arn)}`,
    );
    touches.push(
      touch(rc, roleNameOf(String(rc.before.role ?? "")) || UNKNOWN, change, {
        kind: "detach",
        policyArn: known(arn, () =>
          knownAfterApply(API, `${rc.address}: the detached policy is known only after apply`),
        ),
      }),
    );
  }
  if (isCreate(a) || a.includes("update")) {
    const arn = str(afterValue(rc, "policy_arn")) ?? UNKNOWN;
    const change = planned(
      rc,
      "attach",
      `attaches ${arn === UNKNOWN ? "a policy known only after apply" : arn}`,
    );
    touches.push(
      touch(rc, newRoleOf(rc, "role"), change, {
        kind: "attach",
        policy: { arn: known(arn, () => laterAt(rc.address, "policy_arn")) },
      }),
    );
  }
  return touches;
}

/** aws_iam_policy_attachment: one policy to many roles; each role leaving the set is detached, each joining attached. */
function policyAttachment(rc: ResourceChange): RoleTouch[] {
  const a = rc.actions;
  const arnBefore = str(rc.before?.policy_arn) ?? UNKNOWN;
  const arnAfter = rc.after ? (str(afterValue(rc, "policy_arn")) ?? UNKNOWN) : UNKNOWN;
  const before = names(rc.before?.roles);
  const after = rc.after ? strings(afterValue(rc, "roles"), rc, "roles") : [];
  const replaced = isDelete(a) || arnBefore !== arnAfter;
  const touches: RoleTouch[] = [];
  for (const r of before)
    if (replaced || (after !== UNKNOWN && !after.includes(r)))
      touches.push(
        touch(
          rc,
          roleNameOf(r),
          planned(
            rc,
            "detach",
            `detaches ${String(arnBefore === UNKNOWN ? "a policy" : arnBefore)} from ${roleNameOf(r)}`,
          ),
          {
            kind: "detach",
            policyArn: known(arnBefore, () =>
              knownAfterApply(API, `${rc.address}: the detached policy is known only after apply`),
            ),
          },
        ),
      );
  if (after === UNKNOWN)
    touches.push(
      touch(rc, UNKNOWN, planned(rc, "attach", "attaches a policy to roles known only after apply")),
    );
  else
    for (const r of after)
      if (replaced || !before.includes(r))
        touches.push(
          touch(
            rc,
            roleNameOf(r),
            planned(
              rc,
              "attach",
              `attaches ${String(arnAfter === UNKNOWN ? "a policy known only after apply" : arnAfter)}`,
            ),
            {
              kind: "attach",
              policy: { arn: known(arnAfter, () => laterAt(rc.address, "policy_arn")) },
            },
          ),
        );
  return touches;
}

function rolePolicy(rc: ResourceChange): RoleTouch[] {
  const a = rc.actions;
  const touches: RoleTouch[] = [];
  const nameBefore = str(rc.before?.name);
  const nameAfter = rc.after ? str(afterValue(rc, "name")) : undefined;
  if (rc.before && nameBefore && nameBefore !== UNKNOWN && (isDelete(a) || nameAfter !== nameBefore))
    touches.push(
      touch(
        rc,
        roleNameOf(String(rc.before.role ?? "")) || UNKNOWN,
        planned(rc, "delete-inline", `deletes the inline policy ${nameBefore}`),
        {
          kind: "delete-inline",
          name: nameBefore,
        },
      ),
    );
  if (!rc.after) return touches;
  const document = planDocument(afterValue(rc, "policy"), rc.address, "policy");
  // name_prefix: the name is known after apply, but the document still counts (it may deny).
  const named = nameAfter !== UNKNOWN && nameAfter !== undefined;
  const summary = named
    ? `${isCreate(a) ? "adds" : "rewrites"} the inline policy ${nameAfter}`
    : "puts an inline policy whose name is known only after apply";
  touches.push(
    touch(rc, newRoleOf(rc, "role"), planned(rc, "put-inline", summary), {
      kind: "put-inline",
      name: named ? nameAfter : `(known after apply) ${rc.address}`,
      document,
    }),
  );
  return touches;
}

function exclusive(rc: ResourceChange): RoleTouch[] {
  const attachments = rc.type === "aws_iam_role_policy_attachments_exclusive";
  const role = rc.after ? newRoleOf(rc, "role_name") : (roleOf(rc, "role_name") ?? UNKNOWN);
  // The provider's delete of an …_exclusive resource is a no-op: it detaches nothing.
  if (!rc.after || (isDelete(rc.actions) && !isCreate(rc.actions)))
    return [
      touch(
        rc,
        role,
        planned(rc, "other", "stops managing the role's policies exclusively (detaches nothing)"),
      ),
    ];
  const key = attachments ? "policy_arns" : "policy_names";
  const list = strings(afterValue(rc, key), rc, key);
  const summary = `makes ${list === UNKNOWN ? "a set known only after apply" : list.length ? list.join(", ") : "none"} the role's only ${attachments ? "attached" : "inline"} policies`;
  const listed = known(list, () => laterAt(rc.address, key));
  return [
    touch(
      rc,
      role,
      planned(rc, attachments ? "attach" : "delete-inline", summary),
      attachments
        ? { kind: "only-attached", policyArns: listed }
        : { kind: "only-inline", policyNames: listed },
    ),
  ];
}

/** How one resource change touches roles (empty for resources that do not). */
export function roleTouches(rc: ResourceChange, plan: Plan): RoleTouch[] {
  if (rc.mode !== "managed" || isNoop(rc.actions)) return [];
  switch (rc.type) {
    case "aws_iam_role":
      return iamRole(rc, plan);
    case "aws_iam_role_policy_attachment":
      return roleAttachment(rc);
    case "aws_iam_policy_attachment":
      return policyAttachment(rc);
    case "aws_iam_role_policy":
      return rolePolicy(rc);
    case "aws_iam_role_policy_attachments_exclusive":
    case "aws_iam_role_policies_exclusive":
      return exclusive(rc);
    default:
      return [];
  }
}
