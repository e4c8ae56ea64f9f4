import type { Fact, FactError, InlinePolicy, PlannedChange } from "../../facts/types.ts";
import { knownAfterApply, sameJson } from "../documents.ts";
import type { RoleDefinition, RoleTouch } from "../model.ts";
import { UNKNOWN } from "../model.ts";
import type { ResourceChange } from "./change-set.ts";
import {
  API,
  keepsOld,
  planned,
  replaces,
  replaceVerb,
  type StackScope,
  touch,
  valueScope,
} from "./resource.ts";
import {
  changedAt,
  documentAt,
  documentValue,
  marked,
  nameAt,
  namesAt,
  property,
  readable,
  type Side,
  unknownValue,
  type ValueScope,
} from "./values.ts";

/**
 * AWS::IAM::Role in a change set. Its physical id is the role's name. RoleName and Path are create-only, so a
 * change to either replaces the role: a new ARN, which the running tasks do not hold. AssumeRolePolicyDocument,
 * PermissionsBoundary, ManagedPolicyArns and Policies are compared before and after; Tags and Description change
 * nothing ECS needs.
 */

function boundaryAt(scope: ValueScope, side: Side): Fact<string | null> {
  const v = nameAt(scope.change, side, "PermissionsBoundary");
  if (v === UNKNOWN)
    return unknownValue(scope, "PermissionsBoundary", property(scope.change, side, "PermissionsBoundary"));
  return { ok: true, value: v ?? null };
}

/** The Policies property: inline policies by name; a name known only after the change keeps the address. */
function inlineAt(scope: ValueScope, side: Side): Fact<InlinePolicy[]> {
  const v = property(scope.change, side, "Policies");
  if (v === undefined || v === null) return { ok: true, value: [] };
  if (!Array.isArray(v)) return unknownValue(scope, "Policies", v);
  return {
    ok: true,
    value: v.map((p: { PolicyName?: unknown; PolicyDocument?: unknown } | null, i) => {
      const where = `${scope.address}.Policies[${i}]`;
      const name = p?.PolicyName;
      return {
        name: typeof name === "string" && !marked(name) ? name : `(known after the change set runs) ${where}`,
        document: documentValue(scope.api, `${where}.PolicyDocument`, p?.PolicyDocument),
      };
    }),
  };
}

/** A role the change set creates (an Add, or a replacement's new half): only what it is given. */
function definition(scope: ValueScope): RoleDefinition {
  const list = namesAt(scope.change, "after", "ManagedPolicyArns");
  const attached: Fact<string[]> =
    list === UNKNOWN || list.includes(UNKNOWN)
      ? unknownValue(scope, "ManagedPolicyArns", property(scope.change, "after", "ManagedPolicyArns"))
      : { ok: true, value: list as string[] };
  const path = nameAt(scope.change, "after", "Path");
  return {
    ...(typeof path === "string" ? { path } : {}),
    trust: documentAt(scope, "after", "AssumeRolePolicyDocument"),
    boundary: boundaryAt(scope, "after"),
    attached,
    inline: inlineAt(scope, "after"),
  };
}

function removed(scope: StackScope, change: ResourceChange): RoleTouch[] {
  const role = change.physicalId ?? UNKNOWN;
  if (keepsOld(change))
    return [
      touch(
        role,
        planned(
          scope,
          change,
          "other",
          "removes the role from the stack and keeps it (DeletionPolicy Retain): nothing is deleted",
        ),
      ),
    ];
  return [touch(role, planned(scope, change, "delete-role", "deletes the role"), { kind: "delete-role" })];
}

function added(scope: StackScope, change: ResourceChange): RoleTouch[] {
  const name = nameAt(change, "after", "RoleName");
  // A role whose name CloudFormation generates is new: no task can hold it before the change set runs.
  if (name === undefined || name === UNKNOWN) return [];
  const where = valueScope(scope, change);
  const effect = readable(change, "after")
    ? { kind: "define-role" as const, fresh: true, definition: definition(where) }
    : {
        kind: "undescribed" as const,
        reason: `${where.address} creates ${name}, but the change set was described without its property values`,
      };
  return [touch(name, planned(scope, change, "create-role", "creates the role"), effect)];
}

/** The old role of a replacement: kept (ReplaceAndRetain), replaced under its own name, or deleted. */
function oldHalf(scope: StackScope, change: ResourceChange, newName: ReturnType<typeof nameAt>): RoleTouch {
  const oldName = change.physicalId ?? UNKNOWN;
  const say = (kind: PlannedChange["kind"], summary: string) => planned(scope, change, kind, summary);
  const verb = replaceVerb(change);
  if (keepsOld(change))
    return touch(
      oldName,
      say(
        "other",
        `${verb} and keeps the old role (UpdateReplacePolicy Retain): it and its tasks' permissions stay`,
      ),
    );
  if (newName !== undefined && newName === oldName) {
    const effect = {
      kind: "define-role" as const,
      fresh: true,
      definition: definition(valueScope(scope, change)),
    };
    return touch(
      oldName,
      say("replace-role", `${verb}: the role is deleted and created again`),
      effect,
      true,
    );
  }
  const by = typeof newName === "string" ? newName : "a role named when the change set runs";
  return touch(oldName, say("delete-role", `${verb}: deletes the role (replaced by ${by})`), {
    kind: "delete-role",
  });
}

function replaced(scope: StackScope, change: ResourceChange): RoleTouch[] {
  const oldName = change.physicalId ?? UNKNOWN;
  const newName = readable(change, "after") ? nameAt(change, "after", "RoleName") : UNKNOWN;
  const touches = [oldHalf(scope, change, newName)];
  if (typeof newName === "string" && newName !== oldName) {
    const replacing = oldName === UNKNOWN ? "the old one" : oldName;
    const effect = {
      kind: "define-role" as const,
      fresh: true,
      definition: definition(valueScope(scope, change)),
    };
    touches.push(
      touch(
        newName,
        planned(scope, change, "create-role", `creates the role (replacing ${replacing})`),
        effect,
      ),
    );
  }
  return touches;
}

/** ManagedPolicyArns compared: each ARN that leaves is detached, each that joins attached. */
function attachmentChanges(scope: StackScope, change: ResourceChange, role: string): RoleTouch[] {
  const where = valueScope(scope, change);
  const before = namesAt(change, "before", "ManagedPolicyArns");
  const after = namesAt(change, "after", "ManagedPolicyArns");
  if (before === UNKNOWN || after === UNKNOWN) {
    const error = unknownValue(where, "ManagedPolicyArns", property(change, "after", "ManagedPolicyArns"));
    return [
      touch(
        role,
        planned(
          scope,
          change,
          "attach",
          "changes ManagedPolicyArns to a list known only after the change set runs",
        ),
        { kind: "only-attached", policyArns: error },
      ),
    ];
  }
  const touches: RoleTouch[] = [];
  for (const arn of before)
    if (arn !== UNKNOWN && !after.includes(arn))
      touches.push(
        touch(role, planned(scope, change, "detach", `detaches ${arn} (ManagedPolicyArns)`), {
          kind: "detach",
          policyArn: { ok: true, value: arn },
        }),
      );
  for (const [i, arn] of after.entries()) {
    if (arn !== UNKNOWN && before.includes(arn)) continue;
    const policyArn: Fact<string> =
      arn === UNKNOWN
        ? unknownValue(where, `ManagedPolicyArns[${i}]`, property(change, "after", "ManagedPolicyArns"))
        : { ok: true, value: arn };
    touches.push(
      touch(
        role,
        planned(
          scope,
          change,
          "attach",
          `attaches ${arn === UNKNOWN ? "a policy known only after the change set runs" : arn} (ManagedPolicyArns)`,
        ),
        { kind: "attach", policy: { arn: policyArn } },
      ),
    );
  }
  return touches;
}

/** Policies compared: a name that leaves is deleted, one that joins or whose document changes is put. */
function inlineChanges(scope: StackScope, change: ResourceChange, role: string): RoleTouch[] {
  const where = valueScope(scope, change);
  const before = inlineAt(where, "before");
  const after = inlineAt(where, "after");
  if (!before.ok || !after.ok) {
    const error = !after.ok ? after : (before as { ok: false; error: FactError });
    return [
      touch(
        role,
        planned(
          scope,
          change,
          "put-inline",
          "changes Policies to a list known only after the change set runs",
        ),
        { kind: "only-inline", policyNames: error },
      ),
    ];
  }
  const touches: RoleTouch[] = [];
  for (const p of before.value)
    if (!after.value.some((a) => a.name === p.name))
      touches.push(
        touch(
          role,
          planned(scope, change, "delete-inline", `deletes the inline policy ${p.name} (Policies)`),
          { kind: "delete-inline", name: p.name },
        ),
      );
  for (const p of after.value) {
    const was = before.value.find((b) => b.name === p.name);
    if (
      was &&
      sameJson(
        was.document.ok ? was.document.value : undefined,
        p.document.ok ? p.document.value : undefined,
      ) &&
      p.document.ok
    )
      continue;
    touches.push(
      touch(
        role,
        planned(
          scope,
          change,
          "put-inline",
          `${was ? "rewrites" : "adds"} the inline policy ${p.name} (Policies)`,
        ),
        { kind: "put-inline", name: p.name, document: p.document },
      ),
    );
  }
  return touches;
}

/** The trust and boundary touch: one change, carrying the role's new trust and boundary. */
function trustAndBoundary(scope: StackScope, change: ResourceChange, role: string): RoleTouch[] {
  const where = valueScope(scope, change);
  const changed = (p: string) => changedAt(change, p);
  const kinds: { kind: PlannedChange["kind"]; summary: string }[] = [];
  if (changed("AssumeRolePolicyDocument"))
    kinds.push({ kind: "trust", summary: "rewrites the trust policy (AssumeRolePolicyDocument)" });
  if (changed("PermissionsBoundary")) {
    const b = nameAt(change, "after", "PermissionsBoundary");
    kinds.push({
      kind: "boundary",
      summary:
        b === UNKNOWN
          ? "sets a permissions boundary known only after the change set runs"
          : b
            ? `sets the permissions boundary to ${b}`
            : "removes the permissions boundary",
    });
  }
  const definitionOf: RoleDefinition = {
    trust: documentAt(where, "after", "AssumeRolePolicyDocument"),
    boundary: boundaryAt(where, "after"),
  };
  return kinds.map((k, i) =>
    touch(
      role,
      planned(scope, change, k.kind, k.summary),
      i === 0 ? { kind: "define-role", fresh: false, definition: definitionOf } : undefined,
    ),
  );
}

/** A Modify with both contexts read: what it does to access, else tags or other attributes. */
function modifiedWithValues(scope: StackScope, change: ResourceChange, role: string): RoleTouch[] {
  const touches = [
    ...trustAndBoundary(scope, change, role),
    ...attachmentChanges(scope, change, role),
    ...inlineChanges(scope, change, role),
  ];
  if (touches.length) return touches;
  const tags = !sameJson(property(change, "before", "Tags"), property(change, "after", "Tags"));
  return [
    touch(
      role,
      planned(
        scope,
        change,
        tags ? "tags" : "other",
        tags ? "changes tags" : "updates other properties (no change to access)",
      ),
    ),
  ];
}

/** The access properties the Details of a Modify without values name: each is unknown after the change. */
function unknownAccess(
  scope: StackScope,
  change: ResourceChange,
  role: string,
  names: Set<string>,
): RoleTouch[] {
  const why = `${scope.stack}/${change.logicalId} was described without property values`;
  const unknown = (p: string) => knownAfterApply(API, `${why}, so its new ${p} is not known`);
  const say = (kind: PlannedChange["kind"], summary: string) =>
    planned(scope, change, kind, `${summary} (values not described)`);
  const touches: RoleTouch[] = [];
  const trust = names.has("AssumeRolePolicyDocument");
  const boundary = names.has("PermissionsBoundary");
  if (trust || boundary) {
    const which = [trust && "AssumeRolePolicyDocument", boundary && "PermissionsBoundary"]
      .filter(Boolean)
      .join(" and ");
    const definition = {
      ...(trust ? { trust: unknown("AssumeRolePolicyDocument") } : {}),
      ...(boundary ? { boundary: unknown("PermissionsBoundary") } : {}),
    };
    touches.push(
      touch(role, say(trust ? "trust" : "boundary", `changes ${which}`), {
        kind: "define-role",
        fresh: false,
        definition,
      }),
    );
  }
  if (names.has("ManagedPolicyArns"))
    touches.push(
      touch(role, say("attach", "changes ManagedPolicyArns"), {
        kind: "only-attached",
        policyArns: unknown("ManagedPolicyArns"),
      }),
    );
  if (names.has("Policies"))
    touches.push(
      touch(role, say("put-inline", "changes Policies"), {
        kind: "only-inline",
        policyNames: unknown("Policies"),
      }),
    );
  return touches;
}

/** A Modify described without values: the Details name each property that changes, and each access one is unknown. */
function modifiedWithoutValues(scope: StackScope, change: ResourceChange, role: string): RoleTouch[] {
  const names = new Set(
    change.details.filter((d) => d.attribute === "Properties" && d.name).map((d) => d.name as string),
  );
  const onlyTags =
    change.details.length > 0 && change.details.every((d) => d.attribute === "Tags" || d.name === "Tags");
  if (onlyTags) return [touch(role, planned(scope, change, "tags", "changes tags"))];
  if (!change.details.length) {
    const reason = `${scope.stack}/${change.logicalId} was described without property values or details`;
    return [
      touch(role, planned(scope, change, "other", "modifies the role (described without property values)"), {
        kind: "undescribed",
        reason,
      }),
    ];
  }
  const touches = unknownAccess(scope, change, role, names);
  if (touches.length) return touches;
  return [
    touch(
      role,
      planned(
        scope,
        change,
        "other",
        `changes ${[...names].join(", ") || "attributes"} (no change to access)`,
      ),
    ),
  ];
}

export function roleTouches(scope: StackScope, change: ResourceChange): RoleTouch[] {
  switch (change.action) {
    case "Remove":
      return removed(scope, change);
    case "Add":
      return added(scope, change);
    case "Modify": {
      if (replaces(change)) return replaced(scope, change);
      const role = change.physicalId;
      if (!role)
        return [
          touch(UNKNOWN, planned(scope, change, "other", "modifies a role the change set does not name")),
        ];
      return readable(change, "before") && readable(change, "after")
        ? modifiedWithValues(scope, change, role)
        : modifiedWithoutValues(scope, change, role);
    }
    // An import adopts the role as it is; SyncWithActual changes only CloudFormation's record of it.
    case "Import":
    case "SyncWithActual":
      return [];
    default:
      return [
        touch(
          change.physicalId ?? UNKNOWN,
          planned(
            scope,
            change,
            "other",
            `${change.action}: CloudFormation decides what it does to the role only while the change set runs`,
          ),
          {
            kind: "undescribed",
            reason: `${scope.stack}/${change.logicalId} has Action ${change.action}: what it does is decided only while the change set runs`,
          },
        ),
      ];
  }
}
