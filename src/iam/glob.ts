/**
 * IAM wildcard strings (`*` any run of characters, `?` exactly one character), parsed once into tokens so that
 * literal `*`/`?` (from `${*}`, `${?}` or a substituted variable) stay distinct from wildcards.
 */

import { memoize } from "./memo.ts";
import type { Truth } from "./truth.ts";

export const STAR = Object.freeze({ wildcard: "*" as const });
export const ONE = Object.freeze({ wildcard: "?" as const });
export type Wildcard = typeof STAR | typeof ONE;

/** One token per code point: a literal character (string) or a wildcard. */
export type GlobToken = string | Wildcard;
export type Glob = readonly GlobToken[];

/** What a policy glob is compared against: one exact string, or "some string matching this glob". */
export type Subject = { kind: "exact"; text: string } | { kind: "pattern"; glob: Glob };

const compiled = new WeakMap<Glob, RegExp>();

/** Parses a policy string in which `*` and `?` are wildcards (memoised: policies repeat the same strings). */
export const parseGlob: (text: string) => Glob = memoize((text) =>
  Object.freeze(Array.from(text, (c): GlobToken => (c === "*" ? STAR : c === "?" ? ONE : c))),
);

/** Tokens for text taken literally (a substituted variable, an escape). */
export function literalTokens(text: string): GlobToken[] {
  return Array.from(text);
}

/** The text of a glob, wildcards written as `*` and `?`. */
export function globText(glob: Glob): string {
  let out = "";
  for (const t of glob) out += typeof t === "string" ? t : t.wildcard;
  return out;
}

/** The text a glob stands for when it has no wildcard; undefined otherwise. */
export function literalText(glob: Glob): string | undefined {
  let out = "";
  for (const t of glob) {
    if (typeof t !== "string") return undefined;
    out += t;
  }
  return out;
}

/** The glob with its literal characters lower-cased (for case-insensitive comparison). */
export function lowerGlob(glob: Glob): Glob {
  return glob.flatMap((t): GlobToken[] => (typeof t === "string" ? Array.from(t.toLowerCase()) : [t]));
}

/** The subject with its literal characters lower-cased (for case-insensitive operators). */
export function lowerSubject(subject: Subject): Subject {
  return subject.kind === "exact"
    ? { kind: "exact", text: subject.text.toLowerCase() }
    : { kind: "pattern", glob: lowerGlob(subject.glob) };
}

/** A pattern subject whose glob has no wildcard is really an exact value. */
export function patternSubject(glob: Glob): Subject {
  const text = literalText(glob);
  return text === undefined ? { kind: "pattern", glob } : { kind: "exact", text };
}

function toRegExp(glob: Glob): RegExp {
  const hit = compiled.get(glob);
  if (hit) return hit;
  let source = "^";
  for (const t of glob) {
    if (typeof t === "string") source += t.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
    else source += t === STAR ? ".*" : ".";
  }
  // "s": wildcards match newlines too; "u": `?` is one code point, as the tokens are.
  const re = new RegExp(`${source}$`, "su");
  compiled.set(glob, re);
  return re;
}

/** A glob with no wildcard, as its text (null when it has one): matching it is equality, no regular expression. */
const literals = new WeakMap<Glob, string | null>();

/** Whether `text` matches the glob (case-sensitive; lower-case both sides for case-insensitive). */
export function matchGlob(glob: Glob, text: string): boolean {
  let literal = literals.get(glob);
  if (literal === undefined) {
    literal = literalText(glob) ?? null;
    literals.set(glob, literal);
  }
  return literal === null ? toRegExp(glob).test(text) : text === literal;
}

/**
 * Whether every string matching `request` matches `policy`. Sound, not complete: the request's `*` is treated as a
 * symbol only a policy `*` can absorb, its `?` as one only a policy `*` or `?` can absorb.
 */
export function globCovers(policy: Glob, request: Glob): boolean {
  const n = policy.length;
  let active = new Uint8Array(n + 1);
  let next = new Uint8Array(n + 1);
  active[0] = 1;
  closeOverStars(policy, active);
  for (const t of request) {
    next.fill(0);
    let any = false;
    for (let i = 0; i < n; i++) {
      if (!active[i]) continue;
      const p = policy[i];
      if (p === STAR) {
        next[i] = 1;
        any = true;
      } else if (p === ONE ? t !== STAR : t === p) {
        next[i + 1] = 1;
        any = true;
      }
    }
    if (!any) return false;
    closeOverStars(policy, next);
    [active, next] = [next, active];
  }
  return active[n] === 1;
}

function closeOverStars(glob: Glob, states: Uint8Array): void {
  for (let i = 0; i < glob.length; i++) if (states[i] && glob[i] === STAR) states[i + 1] = 1;
}

/** Whether some string matches both globs (exact: reachability in the product of the two automata). */
export function globsOverlap(a: Glob, b: Glob): boolean {
  const n = a.length;
  const m = b.length;
  const seen = new Uint8Array((n + 1) * (m + 1));
  const stack: number[] = [0, 0];
  const push = (i: number, j: number) => {
    const k = i * (m + 1) + j;
    if (!seen[k]) {
      seen[k] = 1;
      stack.push(i, j);
    }
  };
  seen[0] = 1;
  while (stack.length > 0) {
    const j = stack.pop() as number;
    const i = stack.pop() as number;
    if (i === n && j === m) return true;
    const x = a[i];
    const y = b[j];
    if (x === STAR) push(i + 1, j);
    if (y === STAR) push(i, j + 1);
    if (x === undefined || y === undefined) continue;
    // Both consume one common character: two literals must agree; a wildcard accepts any character.
    if (typeof x === "string" && typeof y === "string" && x !== y) continue;
    const ni = x === STAR ? i : i + 1;
    const nj = y === STAR ? j : j + 1;
    if (ni !== i || nj !== j) push(ni, nj);
  }
  return false;
}

/** Compares a policy glob with a subject: "yes" if every subject string matches, "no" if none can. */
export function compareGlob(policy: Glob, subject: Subject): Truth {
  if (subject.kind === "exact") return matchGlob(policy, subject.text) ? "yes" : "no";
  if (globCovers(policy, subject.glob)) return "yes";
  return globsOverlap(policy, subject.glob) ? "maybe" : "no";
}

/** Compares a literal policy value with a subject for equality: a wildcard pattern can only ever be "maybe". */
export function compareLiteral(text: string, subject: Subject): Truth {
  if (subject.kind === "exact") return subject.text === text ? "yes" : "no";
  return matchGlob(subject.glob, text) ? "maybe" : "no";
}
