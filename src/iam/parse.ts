/**
 * Policy grammar: validates a decoded document and normalises it into a Policy (string lists, principal and
 * condition maps). Collects every problem with its JSON path; never throws, whatever the input.
 */

import type { ParsedStatement, ParseResult, Policy, PolicyGrammarError, PolicySource } from "./types.ts";

type Json = Record<string, unknown>;

const DOCUMENT_ELEMENTS = ["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS = [
  "Sid",
  "Effect",
  "Principal",
  "NotPrincipal",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
];
const PRINCIPAL_TYPES = ["AWS", "Service", "Federated", "CanonicalUser"];
const VERSIONS = ["2012-10-17", "2008-10-17"] as const;

/** Parses a decoded policy document (see decodePolicyDocument) for the given source. */
export function parsePolicy(doc: unknown, source: PolicySource): ParseResult {
  const errors: PolicyGrammarError[] = [];
  try {
    const policy = parseDocument(doc, source, (path, message) => errors.push({ path, message }));
    return errors.length === 0 && policy ? { ok: true, policy } : { ok: false, errors };
  } catch (error) {
    // Only a hostile non-JSON value (a throwing getter, a proxy) can get here.
    const message = error instanceof Error ? error.message : "unreadable value";
    return {
      ok: false,
      errors: [...errors, { path: "", message: `could not read the document: ${message}` }],
    };
  }
}

type Report = (path: string, message: string) => void;

function parseDocument(doc: unknown, source: PolicySource, report: Report): Policy | undefined {
  if (!isObject(doc)) {
    report("", `a policy document must be a JSON object, got ${typeName(doc)}`);
    return undefined;
  }
  checkElements(doc, DOCUMENT_ELEMENTS, "", "policy", report);
  const version = field(doc, "Version");
  if (version !== undefined && !VERSIONS.includes(version as (typeof VERSIONS)[number])) {
    report("Version", `expected "2012-10-17" or "2008-10-17", got ${show(version)}`);
  }
  const id = field(doc, "Id");
  if (id !== undefined && typeof id !== "string") report("Id", `expected a string, got ${typeName(id)}`);
  const raw = field(doc, "Statement");
  let entries: [string, unknown][] = [];
  if (raw === undefined) report("Statement", "Statement is required");
  else if (Array.isArray(raw)) entries = raw.map((s, i) => [`Statement[${i}]`, s]);
  else if (isObject(raw)) entries = [["Statement", raw]];
  else report("Statement", `expected a statement object or an array of them, got ${typeName(raw)}`);
  const trust = source.kind === "trust";
  const statements = entries.map(([path, s], index) => parseStatement(s, index, path, trust, report));
  return {
    source,
    version: (version as Policy["version"]) ?? "2008-10-17",
    statements: statements.filter((s): s is ParsedStatement => s !== undefined),
  };
}

function parseStatement(
  raw: unknown,
  index: number,
  path: string,
  trust: boolean,
  report: Report,
): ParsedStatement | undefined {
  if (!isObject(raw)) {
    report(path, `a statement must be an object, got ${typeName(raw)}`);
    return undefined;
  }
  checkElements(raw, STATEMENT_ELEMENTS, path, "statement", report);
  const statement: ParsedStatement = { index, effect: "Allow" };
  const sid = field(raw, "Sid");
  if (typeof sid === "string") statement.sid = sid;
  else if (sid !== undefined) report(`${path}.Sid`, `expected a string, got ${typeName(sid)}`);

  const effect = field(raw, "Effect");
  if (effect === "Allow" || effect === "Deny") statement.effect = effect;
  else if (effect === undefined) report(`${path}.Effect`, `Effect is required: "Allow" or "Deny"`);
  else report(`${path}.Effect`, `expected "Allow" or "Deny" (exactly, case-sensitive), got ${show(effect)}`);

  const pair = (name: string, notName: string, required: boolean, why: string) => {
    const a = field(raw, name);
    const b = field(raw, notName);
    if (a !== undefined && b !== undefined) report(path, `has both ${name} and ${notName}; use only one`);
    else if (a === undefined && b === undefined && required)
      report(path, `needs ${name} or ${notName}${why}`);
    return { a, b };
  };

  const action = pair("Action", "NotAction", true, "");
  if (action.a !== undefined) statement.action = stringList(action.a, `${path}.Action`, report);
  if (action.b !== undefined) statement.notAction = stringList(action.b, `${path}.NotAction`, report);

  const resource = pair("Resource", "NotResource", !trust, " (identity policies name their resources)");
  if (resource.a !== undefined) statement.resource = stringList(resource.a, `${path}.Resource`, report);
  if (resource.b !== undefined) statement.notResource = stringList(resource.b, `${path}.NotResource`, report);

  const principal = pair(
    "Principal",
    "NotPrincipal",
    trust,
    " (a trust policy names who may assume the role)",
  );
  for (const [name, value] of [
    ["Principal", principal.a],
    ["NotPrincipal", principal.b],
  ] as const) {
    if (value === undefined) continue;
    if (!trust) {
      report(`${path}.${name}`, `${name} is not allowed in an identity policy`);
      continue;
    }
    const map = principalMap(value, `${path}.${name}`, report);
    if (map && name === "Principal") statement.principal = map;
    if (map && name === "NotPrincipal") statement.notPrincipal = map;
  }

  const condition = field(raw, "Condition");
  if (condition !== undefined) statement.condition = conditionMap(condition, `${path}.Condition`, report);
  return statement;
}

function stringList(value: unknown, path: string, report: Report): string[] {
  if (typeof value === "string") return [value];
  if (!Array.isArray(value)) {
    report(path, `expected a string or an array of strings, got ${typeName(value)}`);
    return [];
  }
  if (value.length === 0) report(path, "expected at least one value, got an empty array");
  value.forEach((v, i) => {
    if (typeof v !== "string") report(`${path}[${i}]`, `expected a string, got ${typeName(v)}`);
  });
  return value.filter((v): v is string => typeof v === "string");
}

function principalMap(value: unknown, path: string, report: Report): Record<string, string[]> | undefined {
  if (value === "*") return { "*": ["*"] };
  if (!isObject(value)) {
    report(path, `expected "*" or an object such as {"Service": "ecs.amazonaws.com"}, got ${show(value)}`);
    return undefined;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) report(path, "expected at least one principal type, got an empty object");
  for (const [type] of entries) {
    if (!PRINCIPAL_TYPES.includes(type)) {
      report(childPath(path, type), `unknown principal type (expected one of ${PRINCIPAL_TYPES.join(", ")})`);
    }
  }
  return Object.fromEntries(
    entries.map(([type, ids]) => [type, stringList(ids, childPath(path, type), report)]),
  );
}

function conditionMap(
  value: unknown,
  path: string,
  report: Report,
): Record<string, Record<string, string[]>> {
  if (!isObject(value)) {
    report(path, `expected an object of condition operators, got ${typeName(value)}`);
    return {};
  }
  return Object.fromEntries(
    Object.entries(value).map(([operator, keys]) => {
      const operatorPath = childPath(path, operator);
      if (!isObject(keys)) {
        report(operatorPath, `expected an object of condition keys, got ${typeName(keys)}`);
        return [operator, {}];
      }
      const parsed = Object.entries(keys).map(([key, v]) => [
        key,
        conditionValues(v, childPath(operatorPath, key), report),
      ]);
      return [operator, Object.fromEntries(parsed)];
    }),
  );
}

/** A condition key's values: a scalar or an array of scalars, numbers and booleans stringified. */
function conditionValues(value: unknown, path: string, report: Report): string[] {
  const scalar = (v: unknown, at: string): string[] => {
    if (typeof v === "string") return [v];
    if (typeof v === "number" || typeof v === "boolean") return [String(v)];
    report(at, `expected a string, number or boolean, got ${typeName(v)}`);
    return [];
  };
  if (!Array.isArray(value)) {
    if (isObject(value) || value === null) {
      report(path, `expected a string, number, boolean or an array of them, got ${typeName(value)}`);
      return [];
    }
    return scalar(value, path);
  }
  if (value.length === 0) report(path, "expected at least one value, got an empty array");
  return value.flatMap((v, i) => scalar(v, `${path}[${i}]`));
}

function checkElements(
  obj: Json,
  allowed: readonly string[],
  path: string,
  what: string,
  report: Report,
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      report(
        childPath(path, key),
        `unknown ${what} element "${key}" (expected one of ${allowed.join(", ")})`,
      );
    }
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An own property only: a document key named "__proto__" or "constructor" must not reach the prototype. */
function field(obj: Json, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : typeName(value);
}

/** `a.B` for identifier-like keys, `a["aws:SourceArn"]` otherwise. */
function childPath(path: string, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}
