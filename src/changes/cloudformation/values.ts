import { type Fact, type FactError, KNOWN_AFTER_APPLY } from "../../facts/types.ts";
import { documentFromText, sameJson } from "../documents.ts";
import type { Known } from "../model.ts";
import { UNKNOWN } from "../model.ts";
import type { ResourceChange, ResourceContext } from "./change-set.ts";

/**
 * Property values of a change's BeforeContext / AfterContext. A value CloudFormation learns only while the change
 * set runs (from a resource being created or replaced) reads `{{changeSet:KNOWN_AFTER_APPLY}}`; one the tool could
 * not resolve from a template (an intrinsic function, for a stack's deletion) reads UNRESOLVED. Either, anywhere in
 * a value, makes it unknown: a policy with one unknown Resource could be a Deny that applies.
 */

export const KNOWN_AFTER_APPLY_VALUE = "{{changeSet:KNOWN_AFTER_APPLY}}";
export const UNRESOLVED_VALUE = "{{ecs-preflight:UNRESOLVED}}";
/**
 * What CloudFormation shows for the value of a NoEcho parameter (in a change set's Parameters, DescribeStacks'
 * Parameters, and the property values that resolve from it): the value is hidden, so it is unknown to the tool,
 * never the literal string.
 */
export const NO_ECHO_VALUE = "****";

export type Side = "before" | "after";

/** Where a value is, for messages: the change's address and the property. */
export interface ValueScope {
  api: string;
  address: string;
  change: ResourceChange;
}

export function contextOf(change: ResourceChange, side: Side): ResourceContext | undefined {
  const c = change[side];
  return c === "unreadable" ? undefined : c;
}

/** Whether the change's values on that side can be read (described with values, not cut short). */
export function readable(change: ResourceChange, side: Side): boolean {
  return !change.withoutValues && change[side] !== undefined && change[side] !== "unreadable";
}

export function marked(v: unknown): boolean {
  if (typeof v === "string")
    return v.includes(KNOWN_AFTER_APPLY_VALUE) || v.includes(UNRESOLVED_VALUE) || v.includes(NO_ECHO_VALUE);
  if (Array.isArray(v)) return v.some(marked);
  if (typeof v === "object" && v !== null) return Object.values(v).some(marked);
  return false;
}

/** The error an unknown value at `where` (ADDRESS.Property) becomes, saying which marker made it so. */
export function unknownAt(api: string, where: string, value: unknown): { ok: false; error: FactError } {
  const text = JSON.stringify(value ?? null);
  const error = (code: string, message: string) => ({ ok: false as const, error: { api, code, message } });
  if (text.includes(UNRESOLVED_VALUE))
    return error("UnresolvedValue", `${where} could not be resolved from the template`);
  if (text.includes(NO_ECHO_VALUE) && !text.includes(KNOWN_AFTER_APPLY_VALUE))
    return error(
      "NoEchoValue",
      `${where} comes from a NoEcho parameter (CloudFormation shows it as ${NO_ECHO_VALUE}), so its value is not known`,
    );
  return error(
    KNOWN_AFTER_APPLY,
    `${where} is known only after the change set runs (${KNOWN_AFTER_APPLY_VALUE})`,
  );
}

export function unknownValue(
  scope: ValueScope,
  property: string,
  value: unknown,
): { ok: false; error: FactError } {
  return unknownAt(scope.api, `${scope.address}.${property}`, value);
}

export function property(change: ResourceChange, side: Side, name: string): unknown {
  return contextOf(change, side)?.properties[name];
}

/**
 * Whether a property changes. A value shown masked on a side (NoEcho's `****`) may differ though both sides read
 * the same: it counts as changed when the change's Details name the property, or when it has no Details to say.
 */
export function changedAt(change: ResourceChange, name: string): boolean {
  const before = property(change, "before", name);
  const after = property(change, "after", name);
  if (!sameJson(before, after)) return true;
  if (!marked(before) && !marked(after)) return false;
  return !change.details.length || change.details.some((d) => d.name === name);
}

/** A name or ARN: UNKNOWN when not known before the change set runs, undefined when not set. */
export function nameAt(change: ResourceChange, side: Side, name: string): Known<string> | undefined {
  const v = property(change, side, name);
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string" || marked(v)) return UNKNOWN;
  return v;
}

/** A list of names or ARNs (Roles, ManagedPolicyArns): each element known or UNKNOWN; UNKNOWN for the whole when it is not a list. */
export function namesAt(change: ResourceChange, side: Side, name: string): Known<Known<string>[]> {
  const v = property(change, side, name);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return UNKNOWN;
  return v.map((x) => (typeof x === "string" && x && !marked(x) ? x : UNKNOWN));
}

/** A policy document at `where`: an object, or a JSON string (the type Json takes both). */
export function documentValue(api: string, where: string, v: unknown): Fact<unknown> {
  if (marked(v)) return unknownAt(api, where, v);
  if (typeof v === "object" && v !== null) return { ok: true, value: v };
  return documentFromText(api, v, where);
}

export function documentAt(scope: ValueScope, side: Side, name: string): Fact<unknown> {
  return documentValue(scope.api, `${scope.address}.${name}`, property(scope.change, side, name));
}

/** Whether a document only grants: adding it to any role can take nothing away (no Deny, nothing unknown). */
export function onlyAllows(document: Fact<unknown> | undefined): boolean {
  if (!document?.ok) return false;
  const statements = (document.value as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : [statements];
  return list.every(
    (s) => typeof s === "object" && s !== null && (s as { Effect?: unknown }).Effect === "Allow",
  );
}
