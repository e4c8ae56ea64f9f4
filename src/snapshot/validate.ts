import type { ErrorObject } from "ajv";
import { InputError } from "../errors.ts";
import { withPrincipalList } from "../facts/principals.ts";
import type { Facts } from "../facts/types.ts";
// Compiled from schema/facts.schema.json at development time (scripts/gen-validator.mjs): no Ajv compile at run time.
import validate from "./facts-validator.generated.js";

/** "/roles/0/role" → "roles[0].role" (how a person reads a JSON path). */
export function jsonPath(pointer: string): string {
  if (!pointer) return "(root)";
  return pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), "");
}

function describe(error: ErrorObject): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return `missing required property "${p.missingProperty}"`;
    case "additionalProperties":
      return `unexpected property "${p.additionalProperty}"`;
    case "type":
      return `expected ${p.type}`;
    case "enum":
      return `expected one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "const":
      return `expected ${JSON.stringify(p.allowedValue)}`;
    case "pattern":
      return `expected a string matching ${p.pattern}`;
    default:
      return error.message ?? error.keyword;
  }
}

/** Keywords that only wrap other errors. */
const WRAPPERS = ["if", "oneOf", "anyOf", "not"];

/** The most specific error: deepest path first, and a concrete keyword rather than the if/oneOf that wraps it. */
function mostSpecific(errors: ErrorObject[]): ErrorObject | undefined {
  const concrete = errors.filter((e) => !WRAPPERS.includes(e.keyword));
  const pool = concrete.length ? concrete : errors;
  // Within one path an enum says more than the const of one oneOf branch.
  const rank = (e: ErrorObject) => (e.keyword === "const" ? 1 : 0);
  return [...pool].sort(
    (a, b) => b.instancePath.split("/").length - a.instancePath.split("/").length || rank(a) - rank(b),
  )[0];
}

/** Validates parsed JSON against schema/facts.schema.json; throws an InputError naming file, path and expectation. */
export function validateFacts(value: unknown, file: string): Facts {
  if (!validate(value)) {
    const error = mostSpecific(validate.errors ?? []);
    const where = error ? jsonPath(error.instancePath) : "(root)";
    // Wrappers (if/oneOf/not) restate a concrete problem; only distinct concrete ones count as "several".
    const concrete = new Set(
      (validate.errors ?? [])
        .filter((e) => !WRAPPERS.includes(e.keyword))
        .map((e) => `${e.instancePath} ${e.message}`),
    );
    const more = concrete.size > 1 ? " (first of several problems)" : "";
    throw new InputError(
      `${file}: ${where}: ${error ? describe(error) : "does not match the facts schema"}${more}`,
    );
  }
  const facts = value as Facts;
  if (Number.isNaN(Date.parse(facts.collectedAt))) {
    throw new InputError(
      `${file}: collectedAt: expected an ISO 8601 date-time, got ${JSON.stringify(facts.collectedAt)}`,
    );
  }
  // A snapshot of an older version names one `principal`: it is read as a one-element list.
  return withPrincipalList(facts);
}
