import { readFile } from "node:fs/promises";
import { InputError } from "../errors.ts";
import type { RuleMeta } from "./rule.ts";
import type { FailOn } from "./verdict.ts";

/** A rule's level as configured: off, or capped/raised to warn or fail (the same check can block CI and only warn in an audit). */
export type RuleLevel = "off" | "warn" | "fail";

export interface Suppression {
  rule: string;
  /** Resource ARN, with `*` wildcards. */
  resource: string;
  reason: string;
  /** ISO date after which the suppression no longer applies. */
  expires?: string;
}

export interface Config {
  failOn?: FailOn;
  stuckAfter?: string;
  since?: string;
  rules: Record<string, RuleLevel>;
  suppressions: Suppression[];
  /** Each rule's own options as its schema parsed them, by rule id (only for rules whose keys the config sets). */
  ruleOptions?: Record<string, unknown>;
}

export const EMPTY_CONFIG: Config = { rules: {}, suppressions: [] };

/** A rule whose options the config may set: its id and its options schema. */
export type ConfigurableRule = Pick<RuleMeta, "id" | "options">;

const COMMON_KEYS = ["$schema", "failOn", "stuckAfter", "since", "rules", "suppressions"];

function fail(file: string, path: string, expected: string): never {
  throw new InputError(`${file}: ${path}: expected ${expected}`);
}

/** Validates a parsed config object; every problem names the file, the path and what was expected. */
export function parseConfig(
  raw: unknown,
  file: string,
  ruleIds: readonly string[],
  requiredIds: readonly string[] = [],
  /** The rules with options of their own: their keys are the config's too. */
  configurable: readonly ConfigurableRule[] = [],
): Config {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail(file, "(root)", "a JSON object");
  const obj = raw as Record<string, unknown>;
  const keys = new Set([...COMMON_KEYS, ...configurable.flatMap((r) => r.options?.configKeys ?? [])]);
  for (const key of Object.keys(obj)) {
    if (!keys.has(key))
      fail(file, key, `one of ${[...keys].filter((k) => k !== "$schema").join(", ")} (unknown key)`);
  }
  const config: Config = { rules: {}, suppressions: [] };
  if (obj.failOn !== undefined) {
    if (obj.failOn !== "fail" && obj.failOn !== "warn")
      fail(file, "failOn", `"fail" or "warn", got ${JSON.stringify(obj.failOn)}`);
    config.failOn = obj.failOn;
  }
  for (const key of ["stuckAfter", "since"] as const) {
    if (obj[key] === undefined) continue;
    if (typeof obj[key] !== "string") fail(file, key, `a duration string such as "15m"`);
    config[key] = obj[key];
  }
  if (obj.rules !== undefined) {
    if (typeof obj.rules !== "object" || obj.rules === null || Array.isArray(obj.rules))
      fail(file, "rules", "an object of rule id to level");
    for (const [id, level] of Object.entries(obj.rules)) {
      if (!ruleIds.includes(id)) fail(file, `rules.${id}`, `a rule id (${ruleIds.join(", ")})`);
      if (level !== "off" && level !== "warn" && level !== "fail")
        fail(file, `rules.${id}`, `"off", "warn" or "fail", got ${JSON.stringify(level)}`);
      if (requiredIds.includes(id) && level !== "fail") {
        fail(
          file,
          `rules.${id}`,
          `"fail" only: ${id} reports what could not be read, and cannot be turned off or capped`,
        );
      }
      config.rules[id] = level;
    }
  }
  if (obj.suppressions !== undefined) {
    if (!Array.isArray(obj.suppressions)) fail(file, "suppressions", "an array");
    obj.suppressions.forEach((s: unknown, i) => {
      const at = `suppressions[${i}]`;
      if (typeof s !== "object" || s === null) fail(file, at, "an object with rule, resource and reason");
      const { rule, resource, reason, expires, ...rest } = s as Record<string, unknown>;
      const extra = Object.keys(rest)[0];
      if (extra) fail(file, `${at}.${extra}`, "one of rule, resource, reason, expires (unknown key)");
      if (typeof rule !== "string" || !ruleIds.includes(rule))
        fail(file, `${at}.rule`, `a rule id (${ruleIds.join(", ")})`);
      if (requiredIds.includes(rule))
        fail(file, `${at}.rule`, `a rule that may be suppressed (${rule} reports what could not be read)`);
      if (typeof resource !== "string" || !resource)
        fail(file, `${at}.resource`, "a resource ARN (wildcards * allowed)");
      if (typeof reason !== "string" || !reason.trim())
        fail(file, `${at}.reason`, "a non-empty reason (why it is safe to ignore)");
      if (expires !== undefined && (typeof expires !== "string" || Number.isNaN(Date.parse(expires)))) {
        fail(file, `${at}.expires`, "an ISO date such as 2027-01-31");
      }
      config.suppressions.push({
        rule,
        resource,
        reason,
        ...(typeof expires === "string" ? { expires } : {}),
      });
    });
  }
  const ruleOptions = parseRuleOptions(obj, file, configurable);
  if (Object.keys(ruleOptions).length) config.ruleOptions = ruleOptions;
  return config;
}

/** Each rule's options, from the config's values for its keys (a rule none of whose keys is set is left out). */
function parseRuleOptions(
  obj: Record<string, unknown>,
  file: string,
  configurable: readonly ConfigurableRule[],
): Record<string, unknown> {
  const parsed: Record<string, unknown> = {};
  for (const { id, options } of configurable) {
    if (!options) continue;
    const values = Object.fromEntries(
      options.configKeys.flatMap((k) => (obj[k] === undefined ? [] : [[k, obj[k]]])),
    );
    if (!Object.keys(values).length) continue;
    parsed[id] = options.parse(values, (path, expected) => fail(file, path, expected));
  }
  return parsed;
}

export async function loadConfig(
  file: string,
  ruleIds: readonly string[],
  requiredIds: readonly string[] = [],
  configurable: readonly ConfigurableRule[] = [],
): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new InputError(
      `${file}: cannot read config file (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  return parseConfig(raw, file, ruleIds, requiredIds, configurable);
}
