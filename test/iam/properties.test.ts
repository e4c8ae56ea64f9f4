// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${...}" here is IAM policy-variable syntax, not a template.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
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
