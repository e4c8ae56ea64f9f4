/**
 * Policy variables in Resource and in String/Arn condition values: `${aws:username}`, `${key, 'default'}`, and the
 * escapes `${*}`, `${?}`, `${$}`. Only an exact single value substitutes; anything less is left undecided.
 */

import type { ContextLookup } from "./context.ts";
import { type Glob, type GlobToken, literalText, literalTokens, parseGlob } from "./glob.ts";
import type { Unknown } from "./truth.ts";

export type Resolution = { ok: true; glob: Glob } | { ok: false; unknowns: Unknown[] };

const VARIABLE = /^\s*([^\s,'{}]+)\s*(?:,\s*'([^']*)'\s*)?$/;

/**
 * Resolves the variables in a policy value into a glob (substituted text is literal, never a wildcard).
 * With `enabled` false (policy Version 2008-10-17, which has no variables) the text is taken as written.
 */
export function resolvePolicyValue(text: string, lookup: ContextLookup, enabled: boolean): Resolution {
  if (!enabled || !text.includes("${")) return { ok: true, glob: parseGlob(text) };
  const tokens: GlobToken[] = [];
  const unknowns: Unknown[] = [];
  let from = 0;
  while (from < text.length) {
    const open = text.indexOf("${", from);
    const close = open < 0 ? -1 : text.indexOf("}", open + 2);
    if (open < 0 || close < 0) {
      tokens.push(...parseGlob(text.slice(from)));
      break;
    }
    tokens.push(...parseGlob(text.slice(from, open)));
    const inner = text.slice(open + 2, close);
    from = close + 1;
    if (inner === "*" || inner === "?" || inner === "$") {
      tokens.push(inner);
      continue;
    }
    const match = VARIABLE.exec(inner);
    if (!match) {
      // Not variable syntax: keep the characters as written.
      tokens.push(...parseGlob(text.slice(open, close + 1)));
      continue;
    }
    const value = substitute(match[1] as string, match[2], lookup);
    if (typeof value === "string") tokens.push(...literalTokens(value));
    else unknowns.push(value);
  }
  return unknowns.length > 0 ? { ok: false, unknowns } : { ok: true, glob: tokens };
}

function substitute(key: string, fallback: string | undefined, lookup: ContextLookup): string | Unknown {
  const value = lookup(key);
  const name = `\${${key}}`;
  if (value === undefined) return { key, reason: `policy variable ${name} is not in the request context` };
  if (value.kind === "pattern") {
    // Present with one unknown value: a default does not apply.
    const literal = literalText(parseGlob(value.pattern));
    return (
      literal ?? { key, reason: `policy variable ${name} is only known as the pattern "${value.pattern}"` }
    );
  }
  if (value.kind === "exact" && value.values.length === 1) return value.values[0] as string;
  // Absent or multivalued: substitution fails, and the default (when given) takes its place.
  if (fallback !== undefined) return fallback;
  const why =
    value.kind === "absent" ? "is absent from the request" : `has ${value.values.length} values, not one`;
  return { key, reason: `policy variable ${name} ${why} and has no default` };
}
