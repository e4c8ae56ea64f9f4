import { roleNameOf } from "../arn/arn.ts";
import { type Fact, KNOWN_AFTER_APPLY, type PlannedChange } from "../facts/types.ts";
import { configures } from "./configuration.ts";
import type { Attributes, Plan, ResourceChange } from "./parse.ts";

/**
 * What each resource change of a plan does to infrastructure roles, per role: the resource types of the AWS provider
 * that change a role's trust, boundary, attachments or inline policies (DESIGN.md, "The change gate").
 */

/** A value Terraform knows only after apply. */
export const UNKNOWN = Symbol("known after apply");
export type Known<T> = T | typeof UNKNOWN;

export type RoleEffect =
  | { kind: "role"; rc: ResourceChange; configured: { managed: boolean; inline: boolean } }
  | { kind: "attach" | "detach"; policyArn: Known<string> }
  | { kind: "put-inline"; name: string; document: Fact<unknown> }
  | { kind: "delete-inline"; name: string }
  | { kind: "exclusive-attachments"; policyArns: Known<string[]> }
  | { kind: "exclusive-inline"; policyNames: Known<string[]> };

export interface RoleTouch {
  /** The role's name; UNKNOWN when the plan names it only after apply. */
  role: Known<string>;
  change: PlannedChange;
  effect?: RoleEffect;
}

export interface PolicyChange {
  arn: string;
  change: PlannedChange;
  /** The new default version's document, or undefined when the plan deletes the policy. */
  document?: Fact<unknown>;
  name?: string;
}

const isDelete = (a: string[]) => a.includes("delete");
const isCreate = (a: string[]) => a.includes("create");
const isReplace = (a: string[]) => isDelete(a) && isCreate(a);
/** `forget` (a `removed` block with destroy = false) drops the object from state and leaves it in AWS. */
const isNoop = (a: string[]) => a.every((x) => x === "no-op" || x === "read" || x === "forget");

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
function afterValue(rc: ResourceChange, key: string): unknown {
  if (unknownAt(rc, key)) return UNKNOWN;
  return rc.after?.[key];
}

function str(v: unknown): Known<string> | undefined {
  if (v === UNKNOWN) return UNKNOWN;
  return typeof v === "string" && v ? v : undefined;
}

function strings(v: unknown, rc: ResourceChange, key: string): Known<string[]> {
  if (v === UNKNOWN || unknownAt(rc, key)) return UNKNOWN;
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** A policy document as the plan writes it: a JSON string (the provider's normalised one, or the configuration's). */
export function planDocument(value: unknown, address: string, attribute: string): Fact<unknown> {
  const where = `${address}.${attribute}`;
  if (value === UNKNOWN)
    return {
      ok: false,
      error: {
        api: "terraform:plan",
        code: KNOWN_AFTER_APPLY,
        message: `${where} is known only after apply`,
      },
    };
  if (typeof value !== "string" || !value.trim())
    return {
      ok: false,
      error: { api: "terraform:plan", code: "MalformedPolicyDocument", message: `${where} is empty` },
    };
  try {
    return { ok: true, value: JSON.parse(value) };
  } catch (err) {
    return {
      ok: false,
      error: {
        api: "terraform:plan",
        code: "MalformedPolicyDocument",
        message: `${where} is not JSON: ${(err as Error).message}`,
      },
    };
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  const parse = (v: unknown) => {
    if (typeof v !== "string") return v;
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  };
  return canonical(parse(a)) === canonical(parse(b));
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (typeof v === "object" && v !== null)
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Attributes)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v) ?? "null";
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

function planned(rc: ResourceChange, kind: PlannedChange["kind"], summary: string): PlannedChange {
  return { address: rc.address, type: rc.type, actions: rc.actions, kind, summary };
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

/** What an aws_iam_role change does, in the order a reader cares about. */
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

/** How one resource change touches roles (empty for resources that do not). */
export function roleTouches(rc: ResourceChange, plan: Plan): RoleTouch[] {
  if (rc.mode !== "managed" || isNoop(rc.actions)) return [];
  const a = rc.actions;
  switch (rc.type) {
    case "aws_iam_role": {
      const role = roleOf(rc, "name") ?? UNKNOWN;
      const configured = {
        managed: setsPolicies(rc, plan, "managed_policy_arns"),
        inline: setsPolicies(rc, plan, "inline_policy"),
      };
      const oldName = str(rc.before?.name);
      if (isReplace(a) && oldName && oldName !== UNKNOWN && role !== oldName) {
        // A rename replaces the role: the old name is deleted, a role of the new name is created.
        const renamed = (kind: "delete-role" | "create-role", summary: string) => planned(rc, kind, summary);
        const created = { kind: "role" as const, rc: { ...rc, actions: ["create"] }, configured };
        return [
          {
            role: oldName,
            change: renamed(
              "delete-role",
              `deletes the role (replaced by ${role === UNKNOWN ? "a role named after apply" : role})`,
            ),
            effect: { kind: "role", rc: { ...rc, actions: ["delete"] }, configured },
          },
          ...(role === UNKNOWN
            ? []
            : [
                {
                  role,
                  change: renamed("create-role", `creates the role (replacing ${oldName})`),
                  effect: created,
                },
              ]),
        ];
      }
      return roleKinds(rc, plan).map((k, i) => ({
        role,
        change: planned(rc, k.kind, k.summary),
        ...(i === 0 ? { effect: { kind: "role" as const, rc, configured } } : {}),
      }));
    }
    case "aws_iam_role_policy_attachment": {
      const touches: RoleTouch[] = [];
      if (isDelete(a) && rc.before) {
        const arn = str(rc.before.policy_arn) ?? UNKNOWN;
        touches.push({
          role: roleNameOf(String(rc.before.role ?? "")) || UNKNOWN,
          change: planned(
            rc,
            "detach",
            `${verb(a)} the attachment: detaches ${String(arn === UNKNOWN ? "a policy" : arn)}`,
          ),
          effect: { kind: "detach", policyArn: arn },
        });
      }
      if (isCreate(a) || a.includes("update")) {
        const arn = str(afterValue(rc, "policy_arn")) ?? UNKNOWN;
        touches.push({
          role: newRoleOf(rc, "role"),
          change: planned(
            rc,
            "attach",
            `attaches ${arn === UNKNOWN ? "a policy known only after apply" : arn}`,
          ),
          effect: { kind: "attach", policyArn: arn },
        });
      }
      return touches;
    }
    case "aws_iam_policy_attachment": {
      // One policy to many roles: each role leaving the set is detached, each joining attached.
      const arnBefore = str(rc.before?.policy_arn) ?? UNKNOWN;
      const arnAfter = rc.after ? (str(afterValue(rc, "policy_arn")) ?? UNKNOWN) : UNKNOWN;
      const before = isDelete(a) || !rc.after ? names(rc.before?.roles) : names(rc.before?.roles);
      const after = rc.after ? strings(afterValue(rc, "roles"), rc, "roles") : [];
      const touches: RoleTouch[] = [];
      const replaced = isDelete(a) || arnBefore !== arnAfter;
      for (const r of before)
        if (replaced || (after !== UNKNOWN && !after.includes(r)))
          touches.push({
            role: roleNameOf(r),
            change: planned(
              rc,
              "detach",
              `detaches ${String(arnBefore === UNKNOWN ? "a policy" : arnBefore)} from ${roleNameOf(r)}`,
            ),
            effect: { kind: "detach", policyArn: arnBefore },
          });
      if (after === UNKNOWN)
        touches.push({
          role: UNKNOWN,
          change: planned(rc, "attach", "attaches a policy to roles known only after apply"),
        });
      else
        for (const r of after)
          if (replaced || !before.includes(r))
            touches.push({
              role: roleNameOf(r),
              change: planned(
                rc,
                "attach",
                `attaches ${String(arnAfter === UNKNOWN ? "a policy known only after apply" : arnAfter)}`,
              ),
              effect: { kind: "attach", policyArn: arnAfter },
            });
      return touches;
    }
    case "aws_iam_role_policy": {
      const touches: RoleTouch[] = [];
      const nameBefore = str(rc.before?.name);
      const nameAfter = rc.after ? str(afterValue(rc, "name")) : undefined;
      if (rc.before && nameBefore && nameBefore !== UNKNOWN && (isDelete(a) || nameAfter !== nameBefore))
        touches.push({
          role: roleNameOf(String(rc.before.role ?? "")) || UNKNOWN,
          change: planned(rc, "delete-inline", `deletes the inline policy ${nameBefore}`),
          effect: { kind: "delete-inline", name: nameBefore },
        });
      if (rc.after) {
        const role = newRoleOf(rc, "role");
        if (nameAfter === UNKNOWN || nameAfter === undefined) {
          // name_prefix: the name is known after apply, but the document still counts (it may deny).
          touches.push({
            role,
            change: planned(rc, "put-inline", "puts an inline policy whose name is known only after apply"),
            effect: {
              kind: "put-inline",
              name: `(known after apply) ${rc.address}`,
              document: planDocument(afterValue(rc, "policy"), rc.address, "policy"),
            },
          });
        } else {
          touches.push({
            role,
            change: planned(
              rc,
              "put-inline",
              `${isCreate(a) ? "adds" : "rewrites"} the inline policy ${nameAfter}`,
            ),
            effect: {
              kind: "put-inline",
              name: nameAfter,
              document: planDocument(afterValue(rc, "policy"), rc.address, "policy"),
            },
          });
        }
      }
      return touches;
    }
    case "aws_iam_role_policy_attachments_exclusive":
    case "aws_iam_role_policies_exclusive": {
      const attachments = rc.type === "aws_iam_role_policy_attachments_exclusive";
      const role = rc.after ? newRoleOf(rc, "role_name") : (roleOf(rc, "role_name") ?? UNKNOWN);
      // The provider's delete of an …_exclusive resource is a no-op: it detaches nothing.
      if (!rc.after || (isDelete(a) && !isCreate(a)))
        return [
          {
            role,
            change: planned(rc, "other", "stops managing the role's policies exclusively (detaches nothing)"),
          },
        ];
      const key = attachments ? "policy_arns" : "policy_names";
      const list = strings(afterValue(rc, key), rc, key);
      const summary = `makes ${list === UNKNOWN ? "a set known only after apply" : list.length ? list.join(", ") : "none"} the role's only ${attachments ? "attached" : "inline"} policies`;
      return [
        {
          role,
          change: planned(rc, attachments ? "attach" : "delete-inline", summary),
          effect: attachments
            ? { kind: "exclusive-attachments", policyArns: list }
            : { kind: "exclusive-inline", policyNames: list },
        },
      ];
    }
    default:
      return [];
  }
}

function names(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** An aws_iam_policy change: a new document becomes the policy's default version; a delete removes it. */
export function policyChange(rc: ResourceChange): PolicyChange | undefined {
  if (rc.mode !== "managed" || rc.type !== "aws_iam_policy" || isNoop(rc.actions) || rc.deposed)
    return undefined;
  const arn = str(rc.before?.arn) ?? (rc.after ? str(afterValue(rc, "arn")) : undefined);
  // A new policy has no ARN before apply: what attaches it names the ARN as unknown too.
  if (arn === undefined || arn === UNKNOWN) return undefined;
  const name = str(rc.after?.name ?? rc.before?.name);
  if (!rc.after)
    return {
      arn,
      change: planned(rc, "delete-policy", `deletes the managed policy ${arn}`),
      ...(name && name !== UNKNOWN ? { name } : {}),
    };
  if (!isReplace(rc.actions) && !unknownAt(rc, "policy") && sameJson(rc.before?.policy, rc.after.policy))
    return undefined;
  return {
    arn,
    change: planned(rc, "policy-document", `sets a new default version of ${arn}`),
    document: planDocument(afterValue(rc, "policy"), rc.address, "policy"),
    ...(name && name !== UNKNOWN ? { name } : {}),
  };
}

/** ECS services the plan deletes or replaces: their tasks keep the role busy while they stop. */
export function deletedService(
  rc: ResourceChange,
): { address: string; name?: string; cluster?: string } | undefined {
  if (rc.mode !== "managed" || rc.type !== "aws_ecs_service" || !isDelete(rc.actions) || !rc.before)
    return undefined;
  const name = str(rc.before.name);
  const cluster = str(rc.before.cluster);
  return {
    address: rc.address,
    ...(name && name !== UNKNOWN ? { name } : {}),
    ...(cluster && cluster !== UNKNOWN ? { cluster } : {}),
  };
}
