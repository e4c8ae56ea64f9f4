// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${...}" here is IAM policy-variable syntax, not a template.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { VOLUME_ACTIONS, volumeRequest } from "../../src/analysis/ecs-requests.ts";
import { compareGlob, matchGlob, parseGlob } from "../../src/iam/glob.ts";
import {
  actionMatches,
  type DecisionKind,
  decodePolicyDocument,
  evaluateIdentity,
  evaluateTrust,
  type Policy,
  type PolicySource,
  parsePolicy,
  type RequestContext,
  type RequestValue,
} from "../../src/iam/index.ts";

const RUNS = { numRuns: 300 };
const managedVolumesPolicy = (() => {
  const parsed = parsePolicy(
    JSON.parse(
      readFileSync(
        join(import.meta.dirname, "fixtures", "AmazonECSInfrastructureRolePolicyForVolumes.v5.json"),
        "utf8",
      ),
    ),
    { kind: "managed", name: "AmazonECSInfrastructureRolePolicyForVolumes" },
  );
  if (!parsed.ok) throw new Error("the managed policy fixture does not parse");
  return parsed.policy;
})();

// --- Generators: policies and requests drawn from a small IAM vocabulary, so statements often apply. ---
const actionPattern = fc.constantFrom(
  "ec2:DeleteVolume",
  "ec2:deletevolume",
  "ec2:DetachVolume",
  "ec2:*",
  "ec2:*Volume*",
  "ec2:Describe*",
  "ec2:Delete?olume",
  "s3:GetObject",
  "*",
);
const resourcePattern = fc.constantFrom(
  "*",
  "arn:aws:ec2:*:*:volume/*",
  "arn:aws:ec2:us-east-1:111122223333:volume/vol-1",
  "arn:aws:ec2:*:444455556666:volume/*",
  "arn:aws:ec2:*:${aws:PrincipalAccount}:volume/*",
  "arn:aws:ec2:*:volume/*",
);
const condition = fc.constantFrom(
  { StringEquals: { "aws:ResourceTag/AmazonECSManaged": "true" } },
  { ArnLike: { "aws:ResourceTag/AmazonECSCreated": "arn:aws:ecs:*:*:task/*" } },
  { StringNotEquals: { "aws:SourceVpc": ["vpc-1", "vpc-2"] } },
  { Bool: { "aws:SecureTransport": true } },
  { "ForAllValues:StringEquals": { "aws:TagKeys": ["a", "b"] } },
  { "ForAnyValue:StringLike": { "aws:TagKeys": "a*" } },
  { Null: { "aws:ResourceTag/owner": "true" } },
  { StringEqualsIfExists: { "aws:ResourceTag/env": "prod" } },
  { NumericLessThan: { "ec2:VolumeSize": 100 } },
  { StringFuzzyEquals: { k: "v" } },
);
const oneOrMany = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, fc.array(arb, { minLength: 1, maxLength: 3 }));
const statement = fc
  .record(
    {
      effect: fc.constantFrom("Allow", "Deny"),
      action: oneOrMany(actionPattern),
      notAction: fc.boolean(),
      resource: oneOrMany(resourcePattern),
      notResource: fc.boolean(),
      condition: fc.option(condition, { nil: undefined }),
    },
    { requiredKeys: ["effect", "action", "notAction", "resource", "notResource"] },
  )
  .map((s) => ({
    Effect: s.effect,
    [s.notAction ? "NotAction" : "Action"]: s.action,
    [s.notResource ? "NotResource" : "Resource"]: s.resource,
    ...(s.condition ? { Condition: s.condition } : {}),
  }));
const statements = fc.array(statement, { minLength: 0, maxLength: 5 });

function policy(docStatements: unknown[], source: PolicySource): Policy {
  const parsed = parsePolicy({ Version: "2012-10-17", Statement: docStatements }, source);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.policy;
}
const identityPolicies = fc
  .array(statements, { minLength: 1, maxLength: 3 })
  .map((sets) => sets.map((s, i) => policy(s, { kind: "inline", name: `p${i}` })));

const requestValue: fc.Arbitrary<RequestValue> = fc.oneof(
  fc.record({
    kind: fc.constant("exact" as const),
    values: fc.array(fc.constantFrom("true", "a", "vpc-1", "50"), { maxLength: 2 }),
  }),
  fc.record({
    kind: fc.constant("pattern" as const),
    pattern: fc.constantFrom("arn:aws:ecs:us-east-1:1:task/*", "a*", "*"),
  }),
  fc.constant({ kind: "absent" as const }),
);
const contextKeys = [
  "aws:ResourceTag/AmazonECSManaged",
  "aws:ResourceTag/AmazonECSCreated",
  "aws:SourceVpc",
  "aws:SecureTransport",
  "aws:TagKeys",
  "aws:ResourceTag/owner",
  "aws:PrincipalAccount",
  "ec2:VolumeSize",
];
const request: fc.Arbitrary<RequestContext> = fc.record({
  action: fc.constantFrom("ec2:DeleteVolume", "ec2:DetachVolume", "ec2:DescribeVolumes", "iam:PassRole"),
  resource: fc.oneof(
    fc.constant<RequestValue>({ kind: "pattern", pattern: "arn:aws:ec2:us-east-1:111122223333:volume/*" }),
    fc.constant<RequestValue>({ kind: "exact", values: ["arn:aws:ec2:us-east-1:111122223333:volume/vol-1"] }),
    fc.constant<RequestValue>({ kind: "exact", values: ["*"] }),
  ),
  context: fc.dictionary(fc.constantFrom(...contextKeys), requestValue, { maxKeys: 6 }),
});

/** How much access a decision grants: denies < conditional < allow. */
const rank = (d: DecisionKind) => (d === "allow" ? 2 : d === "conditional" ? 1 : 0);

describe("evaluation properties", () => {
  it("a matching Deny statement always wins", () => {
    fc.assert(
      fc.property(identityPolicies, request, fc.boolean(), (policies, req, inBoundary) => {
        const denyAll = policy([{ Sid: "DenyIt", Effect: "Deny", Action: req.action, Resource: "*" }], {
          kind: inBoundary ? "boundary" : "inline",
          name: "deny",
        });
        const decision = inBoundary
          ? evaluateIdentity(req, { identity: policies, boundary: [denyAll] })
          : evaluateIdentity(req, { identity: [...policies, denyAll] });
        expect(decision.decision).toBe("explicit-deny");
        expect(decision.statements.map((s) => s.sid)).toContain("DenyIt");
      }),
      RUNS,
    );
  });

  it("adding an Allow never removes access", () => {
    fc.assert(
      fc.property(identityPolicies, request, statement, (policies, req, extra) => {
        const before = evaluateIdentity(req, { identity: policies }).decision;
        const allowOnly = { ...extra, Effect: "Allow" };
        const after = evaluateIdentity(req, {
          identity: [...policies, policy([allowOnly], { kind: "inline", name: "extra" })],
        }).decision;
        expect(rank(after)).toBeGreaterThanOrEqual(rank(before));
        if (before === "allow") expect(after).toBe("allow");
        if (before === "explicit-deny") expect(after).toBe("explicit-deny");
      }),
      RUNS,
    );
  });

  it("a boundary never adds access", () => {
    fc.assert(
      fc.property(identityPolicies, identityPolicies, request, (policies, boundaryPolicies, req) => {
        const boundary = boundaryPolicies.map((p) => ({
          ...p,
          source: { kind: "boundary" as const, name: "b" },
        }));
        const without = evaluateIdentity(req, { identity: policies });
        const withBoundary = evaluateIdentity(req, { identity: policies, boundary });
        expect(rank(withBoundary.decision)).toBeLessThanOrEqual(rank(without.decision));
        if (without.decision === "explicit-deny") expect(withBoundary.decision).toBe("explicit-deny");
        expect(withBoundary.boundary).toBeDefined();
      }),
      RUNS,
    );
  });

  it("a statement that is undecided is always named with a reason", () => {
    fc.assert(
      fc.property(identityPolicies, request, (policies, req) => {
        const decision = evaluateIdentity(req, { identity: policies });
        if (decision.decision === "conditional") expect(decision.undecided.length).toBeGreaterThan(0);
        for (const u of decision.undecided) expect(u.reason).not.toBe("");
      }),
      RUNS,
    );
  });
});

// --- Wildcards against a reference matcher built the obvious way. ---
function reference(pattern: string, text: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(text);
}
const globChars = fc.constantFrom("a", "b", "A", ":", ".", "*", "?", "/");
const textChars = fc.constantFrom("a", "b", "A", "B", ":", ".", "/", "*", "?");
const globString = fc.string({ unit: globChars, maxLength: 8 });
const textString = fc.string({ unit: textChars, maxLength: 10 });

describe("wildcard matching", () => {
  it("action matching agrees with a reference regex matcher (case-insensitive)", () => {
    fc.assert(
      fc.property(globString, textString, (p, t) => {
        expect(actionMatches(p, t)).toBe(reference(p, t, true));
      }),
      { numRuns: 1000 },
    );
  });

  it("a request pattern without wildcards compares exactly like its text", () => {
    const literal = fc.string({ unit: fc.constantFrom("a", "b", ":", "/"), maxLength: 8 });
    fc.assert(
      fc.property(globString, literal, (p, t) => {
        const asPattern = compareGlob(parseGlob(p), { kind: "pattern", glob: parseGlob(t) });
        expect(asPattern).toBe(reference(p, t, false) ? "yes" : "no");
      }),
      { numRuns: 1000 },
    );
  });

  it("pattern comparison is sound: yes means every instance matches, no means none does", () => {
    // A dense alphabet, so that wildcards on both sides often line up.
    const denseGlob = fc.string({ unit: fc.constantFrom("a", "b", "*", "?"), maxLength: 5 });
    const fill = fc.array(fc.string({ unit: fc.constantFrom("a", "b"), maxLength: 3 }), {
      minLength: 8,
      maxLength: 8,
    });
    fc.assert(
      fc.property(denseGlob, denseGlob, fc.array(fill, { minLength: 5, maxLength: 5 }), (p, r, fills) => {
        const verdict = compareGlob(parseGlob(p), { kind: "pattern", glob: parseGlob(r) });
        for (const f of fills) {
          let k = 0;
          // An instance of the request pattern: each * a short string, each ? one character.
          const instance = r.replace(/[*?]/g, (w) => {
            const s = f[k++ % f.length] ?? "";
            return w === "*" ? s : (s[0] ?? "a");
          });
          const matches = matchGlob(parseGlob(p), instance);
          if (verdict === "yes") expect(matches).toBe(true);
          if (verdict === "no") expect(matches).toBe(false);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe("robustness", () => {
  const source: PolicySource = { kind: "inline", name: "fuzz" };
  const anyRequest: fc.Arbitrary<RequestContext> = fc.record({
    action: fc.string(),
    resource: requestValue,
    principal: fc.record({ type: fc.constantFrom("Service", "AWS", "Federated"), id: fc.string() }),
    context: fc.dictionary(fc.string(), requestValue),
  });

  it("parsePolicy never throws on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom<PolicySource["kind"]>("inline", "trust"), (doc, kind) => {
        const result = parsePolicy(doc, { ...source, kind });
        expect(typeof result.ok).toBe("boolean");
      }),
      RUNS,
    );
  });

  it("parsing and evaluation never throw on policy-shaped arbitrary JSON", () => {
    const element = fc.constantFrom(
      "Effect",
      "Action",
      "NotAction",
      "Resource",
      "NotResource",
      "Principal",
      "NotPrincipal",
      "Condition",
      "Sid",
    );
    const loose = fc.dictionary(element, fc.oneof(fc.jsonValue(), fc.constant("Allow"), fc.constant("*")));
    fc.assert(
      fc.property(fc.array(loose, { maxLength: 4 }), anyRequest, (docStatements, req) => {
        for (const kind of ["inline", "trust"] as const) {
          const parsed = parsePolicy(
            { Version: "2012-10-17", Statement: docStatements },
            { kind, name: "x" },
          );
          if (!parsed.ok) continue;
          const decision =
            kind === "trust"
              ? evaluateTrust(req, parsed.policy)
              : evaluateIdentity(req, { identity: [parsed.policy] });
          expect(["allow", "explicit-deny", "implicit-deny", "conditional"]).toContain(decision.decision);
        }
      }),
      RUNS,
    );
  });

  it("evaluation never throws on valid policies with arbitrary conditions and requests", () => {
    const conditionBlock = fc.dictionary(
      fc.oneof(
        fc.string(),
        fc.constantFrom("StringLike", "ArnLike", "IpAddress", "DateLessThan", "ForAllValues:Null"),
      ),
      fc.dictionary(fc.string(), fc.array(fc.string(), { minLength: 1, maxLength: 3 }), {
        minKeys: 1,
        maxKeys: 2,
      }),
      { minKeys: 1, maxKeys: 2 },
    );
    fc.assert(
      fc.property(conditionBlock, fc.string(), anyRequest, (cond, res, req) => {
        const p = policy([{ Effect: "Allow", Action: "*", Resource: res, Condition: cond }], source);
        expect(evaluateIdentity(req, { identity: [p] }).decision).toBeTypeOf("string");
      }),
      RUNS,
    );
  });

  it("decodePolicyDocument never throws", () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        expect(typeof decodePolicyDocument(raw).ok).toBe("boolean");
      }),
      RUNS,
    );
  });
});

// --- Keys a request cannot carry: IAM's answer is certain, never `conditional`. ---
const BASE_OPERATORS = [
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "NumericEquals",
  "NumericNotEquals",
  "NumericLessThan",
  "NumericLessThanEquals",
  "NumericGreaterThan",
  "NumericGreaterThanEquals",
  "DateEquals",
  "DateNotEquals",
  "DateLessThan",
  "DateLessThanEquals",
  "DateGreaterThan",
  "DateGreaterThanEquals",
  "Bool",
  "BinaryEquals",
  "IpAddress",
  "NotIpAddress",
  "ArnEquals",
  "ArnLike",
  "ArnNotEquals",
  "ArnNotLike",
];
/** An operator as written in a policy: a base operator with an optional set prefix and IfExists, or Null. */
const absentOperator = fc.oneof(
  fc
    .record({
      set: fc.constantFrom("", "ForAnyValue:", "ForAllValues:"),
      base: fc.constantFrom(...BASE_OPERATORS),
      ifExists: fc.boolean(),
    })
    .map(({ set, base, ifExists }) => `${set}${base}${ifExists ? "IfExists" : ""}`),
  fc.constant("Null"),
);
/** IAM's documented answer for a condition entry whose key is absent, written out independently of the evaluator. */
function absentHolds(operator: string, values: string[]): boolean {
  if (operator === "Null") return values.includes("true");
  if (operator.endsWith("IfExists") || operator.startsWith("ForAllValues:")) return true;
  if (operator.startsWith("ForAnyValue:")) return false;
  return /Not/.test(operator);
}
const policyValues = fc.array(
  fc.constantFrom("x", "true", "false", "10", "2026-01-01T00:00:00Z", "10.0.0.0/8", "*"),
  {
    minLength: 1,
    maxLength: 3,
  },
);
/** One statement's Condition over the given keys, with the operator/values kept for the reference answer. */
const conditionOver = (keys: fc.Arbitrary<string>) =>
  fc.array(fc.record({ operator: absentOperator, key: keys, values: policyValues }), {
    minLength: 1,
    maxLength: 3,
  });
type Entry = { operator: string; key: string; values: string[] };
function conditionBlock(entries: Entry[]): Record<string, Record<string, string[]>> {
  const block: Record<string, Record<string, string[]>> = {};
  for (const { operator, key, values } of entries) {
    // Null takes "true"/"false"; anything else is a value IAM never reads for an absent key.
    const written = operator === "Null" ? values.map((v) => (v === "true" ? "true" : "false")) : values;
    block[operator] = { ...(block[operator] ?? {}), [key]: written };
  }
  return block;
}
/** Whether a statement's condition holds on absent keys, by the reference (the last entry for a repeated pair wins). */
function referenceHolds(block: Record<string, Record<string, string[]>>): boolean {
  return Object.entries(block).every(([op, keys]) => Object.values(keys).every((vs) => absentHolds(op, vs)));
}
/** Random Allow/Deny statements on `action` with conditions over absent keys only, and the reference decision. */
const absentKeyStatements = (action: string, keys: fc.Arbitrary<string>) =>
  fc
    .array(fc.record({ effect: fc.constantFrom("Allow", "Deny"), entries: conditionOver(keys) }), {
      minLength: 1,
      maxLength: 4,
    })
    .map((specs) =>
      specs.map((s, i) => ({
        Sid: `S${i}`,
        Effect: s.effect,
        Action: action,
        Resource: "*",
        Condition: conditionBlock(s.entries),
      })),
    );
function referenceDecision(
  statements: { Effect: string; Condition: Record<string, Record<string, string[]>> }[],
) {
  const applies = statements.filter((s) => referenceHolds(s.Condition));
  if (applies.some((s) => s.Effect === "Deny")) return "explicit-deny";
  return applies.some((s) => s.Effect === "Allow") ? "allow" : "implicit-deny";
}

describe("absent keys", () => {
  const tagKey = fc.constantFrom("AmazonECSManaged", "Team", "owner", "aws:cloudformation:stack-name", "");
  const familyKey = fc
    .tuple(fc.constantFrom("aws:ResourceTag/", "EC2:resourcetag/", "aws:RequestTag/"), tagKey)
    .map(([family, tag]) => `${family}${tag || "x"}`);
  const listedAbsent = fc.constantFrom(
    "aws:SourceIp",
    "aws:MultiFactorAuthAge",
    "aws:TokenIssueTime",
    "aws:TagKeys",
  );
  const absentRequest: RequestContext = {
    action: "ec2:DescribeVolumes",
    resource: { kind: "exact", values: ["*"] },
    context: {
      "aws:SourceIp": { kind: "absent" },
      "aws:MultiFactorAuthAge": { kind: "absent" },
      "aws:TokenIssueTime": { kind: "absent" },
      "aws:TagKeys": { kind: "exact", values: [] },
    },
    absentKeys: ["aws:ResourceTag/", "ec2:ResourceTag/", "aws:RequestTag/"],
  };

  it("a condition on absent keys is decided, and as IAM documents it (never conditional)", () => {
    fc.assert(
      fc.property(
        absentKeyStatements("ec2:DescribeVolumes", fc.oneof(familyKey, listedAbsent)),
        (statements) => {
          const decision = evaluateIdentity(absentRequest, {
            identity: [policy(statements, { kind: "inline", name: "p" })],
          });
          expect(decision.decision).not.toBe("conditional");
          expect(decision.decision).toBe(referenceDecision(statements));
          for (const a of decision.absentKeyConditions ?? []) expect(a.conditions.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("no key DESIGN.md calls absent makes a volume action conditional (the real request model)", () => {
    const loc = {
      partition: "aws",
      region: "us-east-1",
      account: "111122223333",
      roleArn: "arn:aws:iam::111122223333:role/infra",
    };
    // Written out here, not read from the model: DESIGN.md ("What ECS's requests carry") and issue 8.
    const ABSENT: Record<(typeof VOLUME_ACTIONS)[number], string[]> = {
      "ec2:DescribeVolumes": ["aws:ResourceTag/", "ec2:ResourceTag/", "aws:RequestTag/", "aws:TagKeys"],
      "ec2:DetachVolume": ["aws:RequestTag/", "aws:TagKeys"],
      "ec2:DeleteVolume": ["aws:RequestTag/", "aws:TagKeys"],
    };
    for (const action of VOLUME_ACTIONS) {
      const request = volumeRequest(action, loc);
      // Any key of an absent family (a tag name drawn at random) or an absent key named in full.
      const keys = fc.oneof(
        ...ABSENT[action].map((entry) =>
          entry.endsWith("/") ? tagKey.map((t) => `${entry}${t || "x"}`) : fc.constant(entry),
        ),
      );
      fc.assert(
        fc.property(absentKeyStatements(action, keys), fc.boolean(), (statements, withManaged) => {
          const identity = [policy(statements, { kind: "inline", name: "p" })];
          if (withManaged) identity.push(managedVolumesPolicy);
          const decision = evaluateIdentity(request, { identity });
          expect(decision.decision, `${action}: ${JSON.stringify(statements)}`).not.toBe("conditional");
          if (!withManaged) expect(decision.decision).toBe(referenceDecision(statements));
        }),
        { numRuns: 200 },
      );
    }
  });
});
