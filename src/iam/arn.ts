/**
 * ARN matching as IAM does it for Resource and the Arn* operators: the first five colons split partition, service,
 * region and account; the rest (the resource part, which may hold colons) is one component. A wildcard does not cross
 * a split colon, except that a `*` ending a segment may (as AWS documents): where the two readings differ, "maybe".
 */

import { compareGlob, type Glob, type GlobToken, patternSubject, STAR, type Subject } from "./glob.ts";
import type { Truth } from "./truth.ts";

const ARN_COMPONENTS = 6;
const splitCache = new WeakMap<Glob, Glob[] | null>();

/** Splits a glob on its first five literal colons; undefined when it does not start `arn:` or has fewer. */
export function splitArnGlob(glob: Glob): Glob[] | undefined {
  const hit = splitCache.get(glob);
  if (hit !== undefined) return hit ?? undefined;
  const parts = startsWithArn(glob) ? splitTokens(glob) : undefined;
  splitCache.set(glob, parts ?? null);
  return parts;
}

function startsWithArn(glob: Glob): boolean {
  return glob[0] === "a" && glob[1] === "r" && glob[2] === "n" && glob[3] === ":";
}

function splitTokens(glob: Glob): Glob[] | undefined {
  const parts: Glob[] = [];
  let current: GlobToken[] = [];
  for (const t of glob) {
    if (t === ":" && parts.length < ARN_COMPONENTS - 1) {
      parts.push(current);
      current = [];
    } else current.push(t);
  }
  parts.push(current);
  return parts.length === ARN_COMPONENTS ? parts : undefined;
}

/** Splits an ARN string the same way; undefined when it is not ARN-shaped. */
export function splitArnText(text: string): string[] | undefined {
  if (!text.startsWith("arn:")) return undefined;
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < ARN_COMPONENTS - 1; i++) {
    const colon = text.indexOf(":", from);
    if (colon < 0) return undefined;
    parts.push(text.slice(from, colon));
    from = colon + 1;
  }
  parts.push(text.slice(from));
  return parts;
}

const splitSubjects = new WeakMap<Subject, Subject[] | null>();

function splitSubject(subject: Subject): Subject[] | undefined {
  if (subject.kind === "exact") {
    return splitArnText(subject.text)?.map((text) => ({ kind: "exact", text }));
  }
  const hit = splitSubjects.get(subject);
  if (hit !== undefined) return hit ?? undefined;
  const parts = splitArnGlob(subject.glob)?.map(patternSubject);
  splitSubjects.set(subject, parts ?? null);
  return parts;
}

/**
 * Compares a policy ARN glob with a request ARN (exact, or a pattern whose wildcards stay inside their component).
 * `*` alone matches anything. When only one side is ARN-shaped the whole strings are compared, and a match is only
 * "maybe": IAM's component rules cannot be applied to it.
 */
export function compareArn(policy: Glob, subject: Subject): Truth {
  if (policy.length === 1 && policy[0] === STAR) return "yes";
  let memo = compared.get(policy);
  if (!memo) {
    memo = { exact: new Map(), pattern: new WeakMap() };
    compared.set(policy, memo);
  }
  const hit = subject.kind === "exact" ? memo.exact.get(subject.text) : memo.pattern.get(subject.glob);
  if (hit !== undefined) return hit;
  const truth = compareArnOnce(policy, subject);
  if (subject.kind === "pattern") memo.pattern.set(subject.glob, truth);
  else {
    if (memo.exact.size >= EXACT_LIMIT) memo.exact.clear();
    memo.exact.set(subject.text, truth);
  }
  return truth;
}

/**
 * compareArn's answers per policy glob (parsed policy strings are memoised, so the same glob object comes back for
 * the same text), per request value: exact text, or a pattern's glob (memoised per pattern too). The rules compare
 * the same role's resources with the same requests many times over; a glob built afresh (a substituted variable)
 * just misses. Pure, so the cache changes no answer.
 */
const compared = new WeakMap<Glob, { exact: Map<string, Truth>; pattern: WeakMap<Glob, Truth> }>();
const EXACT_LIMIT = 1024;

function compareArnOnce(policy: Glob, subject: Subject): Truth {
  const policyParts = splitArnGlob(policy);
  const subjectParts = splitSubject(subject);
  if (policyParts && subjectParts) {
    let result: Truth = "yes";
    for (let i = 0; i < ARN_COMPONENTS; i++) {
      const t = compareGlob(policyParts[i] as Glob, subjectParts[i] as Subject);
      if (t === "no") {
        result = "no";
        break;
      }
      if (t === "maybe") result = "maybe";
    }
    // AWS documents that a `*` ending an ARN segment "can expand to match beyond the colon boundaries": where that
    // reading and the component-wise one disagree, the answer is not known (sound for an Allow and a Deny alike).
    if (
      subject.kind === "exact" &&
      policyParts.slice(0, ARN_COMPONENTS - 1).some((part) => part[part.length - 1] === STAR)
    ) {
      const across = compareGlob(policy, subject);
      if (across !== result) return "maybe";
    }
    return result;
  }
  const whole = compareGlob(policy, subject);
  if (!policyParts && !subjectParts) return whole;
  return whole === "yes" ? "maybe" : whole;
}
