/**
 * Runs every evaluation case in test/iam/cases/*.json. A case names its request, its policies (inline `document` or
 * a `documentFile` under test/iam/fixtures/) and the expected decision. `sids` are the deciding statements for
 * allow/explicit-deny and the undecided statements for conditional; `undecidedKeys` the keys they name;
 * `absentKeyConditions` the statements a denial names for conditions on keys the request does not carry.
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type Decision,
  type DecisionKind,
  evaluateIdentity,
  evaluateTrust,
  type Policy,
  type PolicySource,
  parsePolicy,
  type RequestContext,
} from "../../src/iam/index.ts";

interface PolicyEntry {
  source?: PolicySource;
  document?: unknown;
  documentFile?: string;
}

interface EvaluationCase {
  name: string;
  kind: "identity" | "trust";
  request: RequestContext;
  identityPolicies?: PolicyEntry[];
  boundary?: PolicyEntry[];
  trust?: PolicyEntry;
  expected: {
    decision: DecisionKind;
    sids?: string[];
    undecidedKeys?: string[];
    boundary?: DecisionKind;
    /** The statements named for conditions on absent keys, each with its "operator key" entries ([] for none). */
    absentKeyConditions?: { sid: string; conditions: string[] }[];
  };
}

const casesDir = join(import.meta.dirname, "cases");
const fixturesDir = join(import.meta.dirname, "fixtures");
const files = readdirSync(casesDir)
  .filter((f) => f.endsWith(".json"))
  .sort();

function load(entry: PolicyEntry, fallback: PolicySource): Policy {
  const document =
    entry.documentFile === undefined
      ? entry.document
      : JSON.parse(readFileSync(join(fixturesDir, entry.documentFile), "utf8"));
  const parsed = parsePolicy(document, entry.source ?? fallback);
  if (!parsed.ok) throw new Error(`fixture does not parse: ${JSON.stringify(parsed.errors)}`);
  return parsed.policy;
}

function evaluate(c: EvaluationCase): Decision {
  if (c.kind === "trust") {
    if (!c.trust) throw new Error("a trust case needs `trust`");
    return evaluateTrust(c.request, load(c.trust, { kind: "trust", name: "trust policy" }));
  }
  const identity = (c.identityPolicies ?? []).map((p) => load(p, { kind: "inline", name: "inline" }));
  const boundary = c.boundary?.map((p) => load(p, { kind: "boundary", name: "boundary" }));
  return evaluateIdentity(c.request, boundary ? { identity, boundary } : { identity });
}

describe("IAM evaluation cases", () => {
  it("has at least 45 cases", () => {
    expect(files.length).toBeGreaterThanOrEqual(45);
  });

  for (const file of files) {
    const c = JSON.parse(readFileSync(join(casesDir, file), "utf8")) as EvaluationCase;
    it(c.name, () => {
      const decision = evaluate(c);
      const explain = JSON.stringify(decision, null, 1);
      expect(decision.decision, explain).toBe(c.expected.decision);
      if (c.expected.boundary !== undefined) expect(decision.boundary).toBe(c.expected.boundary);
      if (c.expected.sids !== undefined) {
        const refs =
          decision.decision === "conditional"
            ? decision.undecided.map((u) => u.statement)
            : decision.statements;
        expect(refs.map((r) => r.sid ?? `#${r.index}`).sort(), explain).toEqual([...c.expected.sids].sort());
      }
      if (c.expected.undecidedKeys !== undefined) {
        const keys = new Set(decision.undecided.flatMap((u) => u.keys));
        expect([...keys].sort(), explain).toEqual([...c.expected.undecidedKeys].sort());
      }
      if (c.expected.absentKeyConditions !== undefined) {
        const named = (decision.absentKeyConditions ?? []).map((a) => ({
          sid: a.statement.sid ?? `#${a.statement.index}`,
          conditions: a.conditions.map((k) => `${k.operator} ${k.key}`),
        }));
        expect(named, explain).toEqual(c.expected.absentKeyConditions);
      }
      // Every undecided statement explains itself; decided outcomes carry no undecided entries.
      for (const u of decision.undecided) expect(u.reason.length).toBeGreaterThan(0);
      if (decision.decision !== "conditional") expect(decision.undecided).toEqual([]);
    });
  }
});
