// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${...}" here is IAM policy-variable syntax, not a template.
import { describe, expect, it } from "vitest";
import { compareArn } from "../../src/iam/arn.ts";
import { contextLookup } from "../../src/iam/context.ts";
import { evaluateIdentity } from "../../src/iam/evaluate.ts";
import {
  compareGlob,
  type Glob,
  globText,
  literalTokens,
  matchGlob,
  parseGlob,
  type Subject,
} from "../../src/iam/glob.ts";
import { actionMatches } from "../../src/iam/index.ts";
import { namesAction } from "../../src/iam/match.ts";
import { parseIpRange, rangeContains } from "../../src/iam/operators/ip-range.ts";
import { parsePolicy } from "../../src/iam/parse.ts";
import type { Truth } from "../../src/iam/truth.ts";
import { resolvePolicyValue } from "../../src/iam/variables.ts";

const exact = (text: string): Subject => ({ kind: "exact", text });
const pattern = (text: string): Subject => ({ kind: "pattern", glob: parseGlob(text) });

describe("actionMatches", () => {
  it.each([
    ["ec2:DeleteVolume", "ec2:deletevolume", true],
    ["EC2:*", "ec2:DeleteVolume", true],
    ["ec2:*Volume*", "ec2:DescribeVolumes", true],
    ["ec2:Delete?olume", "ec2:DeleteVolume", true],
    ["ec2:Delete?olume", "ec2:DeleteVVolume", false],
    ["ec2:Delete", "ec2:DeleteVolume", false],
    ["*", "sts:AssumeRole", true],
    ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", false],
  ])("%s vs %s → %s", (p, a, expected) => {
    expect(actionMatches(p, a)).toBe(expected);
  });
});

describe("namesAction (memoised per Action list)", () => {
  it("answers each action of one list on its own, asked in any order and again", () => {
    const list = ["ec2:Describe*", "ec2:DeleteVolume"];
    const asked: [string, boolean][] = [
      ["ec2:describevolumes", true],
      ["ec2:deletevolume", true],
      ["ec2:detachvolume", false],
      ["ec2:describevolumes", true],
      ["ec2:detachvolume", false],
      ["ec2:deletevolume", true],
    ];
    for (const [action, named] of asked) expect(namesAction(list, action)).toBe(named);
    // Another list with the same first pattern is its own: nothing carries over between lists.
    expect(namesAction(["ec2:Describe*"], "ec2:deletevolume")).toBe(false);
    expect(namesAction([], "ec2:deletevolume")).toBe(false);
    // A literal action (no * or ?) is equality ignoring the policy's case; the lowered request must match exactly.
    expect(namesAction(["EC2:DeleteVOLUME"], "ec2:deletevolume")).toBe(true);
    expect(namesAction(["ec2:DeleteVolume"], "ec2:deletevolumes")).toBe(false);
    expect(namesAction(["ec2:Delete.olume"], "ec2:deletevolume")).toBe(false);
    expect(namesAction(["ec2:Delete.olume"], "ec2:delete.olume")).toBe(true);
    expect(namesAction(["ec2:*"], "ec2:deletevolume")).toBe(true);
    expect(namesAction(["ec2:?"], "ec2:d")).toBe(true);
    expect(namesAction(["ec2:?"], "ec2:de")).toBe(false);
  });

  it("leaves the decisions of a policy asked about several actions, in turn and again, what they were", () => {
    const parsed = parsePolicy(
      {
        Version: "2012-10-17",
        Statement: [
          { Sid: "Read", Effect: "Allow", Action: "ec2:Describe*", Resource: "*" },
          { Sid: "NotDelete", Effect: "Allow", NotAction: ["ec2:DeleteVolume"], Resource: "*" },
          { Sid: "NoDetach", Effect: "Deny", Action: "ec2:DetachVolume", Resource: "*" },
        ],
      },
      { kind: "inline", name: "p" },
    );
    if (!parsed.ok) throw new Error("the policy parses");
    const decide = (action: string) =>
      evaluateIdentity(
        { action, resource: { kind: "exact", values: ["*"] }, context: {} },
        { identity: [parsed.policy] },
      );
    const first = ["ec2:DescribeVolumes", "ec2:DeleteVolume", "ec2:DetachVolume", "s3:GetObject"].map(decide);
    expect(first.map((d) => d.decision)).toEqual(["allow", "implicit-deny", "explicit-deny", "allow"]);
    expect(first[0]?.statements.map((s) => s.sid)).toEqual(["Read", "NotDelete"]);
    expect(first[2]?.statements.map((s) => s.sid)).toEqual(["NoDetach"]);
    expect(first[3]?.statements.map((s) => s.sid)).toEqual(["NotDelete"]);
    // Asked again, in another order: the same decisions, naming the same statements.
    const again = ["s3:GetObject", "ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes"].map(decide);
    expect(again.reverse()).toEqual(first);
  });
});

describe("matchGlob", () => {
  it("matches a glob with no wildcard by equality, a literal * or ? (substituted, ${*}) included", () => {
    const rows: [Glob, string, boolean][] = [
      [parseGlob("arn:aws:ec2:us-east-1:1:volume/vol-1"), "arn:aws:ec2:us-east-1:1:volume/vol-1", true],
      [parseGlob("arn:aws:ec2:us-east-1:1:volume/vol-1"), "arn:aws:ec2:us-east-1:1:volume/vol-10", false],
      [parseGlob("a.c"), "abc", false],
      [parseGlob("a.c"), "a.c", true],
      [parseGlob("a*c"), "abbc", true],
      [parseGlob("a?c"), "abc", true],
      [literalTokens("a*c"), "abbc", false],
      [literalTokens("a*c"), "a*c", true],
      [literalTokens("a?c"), "abc", false],
      [[...literalTokens("vol-"), ...parseGlob("*")], "vol-9", true],
      [parseGlob(""), "", true],
      [parseGlob(""), "x", false],
    ];
    // Twice: the second answers come from the memo of each glob's literal text.
    for (let round = 0; round < 2; round++)
      for (const [glob, text, expected] of rows) expect(matchGlob(glob, text), text).toBe(expected);
  });
});

describe("compareGlob against a request pattern", () => {
  const rows: [string, string, Truth][] = [
    ["arn:aws:ecs:*:*:task/*", "arn:aws:ecs:us-east-1:1:task/*", "yes"],
    ["*", "anything*", "yes"],
    ["a*", "a?*", "yes"],
    ["a?c", "a?c", "yes"],
    ["a*c", "a*", "maybe"],
    ["abc", "a*", "maybe"],
    ["a?", "a*", "maybe"],
    ["b*", "a*", "no"],
    ["*x", "*y", "no"],
    ["a?c", "ab*d", "no"],
    ["instance/*", "volume/*", "no"],
  ];
  it.each(rows)("policy %s vs request pattern %s → %s", (policy, request, expected) => {
    expect(compareGlob(parseGlob(policy), pattern(request))).toBe(expected);
  });
});

describe("compareArn", () => {
  const rows: [string, Subject, Truth][] = [
    ["*", exact("not even an ARN"), "yes"],
    ["arn:aws:ec2:*:*:volume/*", exact("arn:aws:ec2:us-east-1:111122223333:volume/vol-1"), "yes"],
    ["arn:aws:ec2:*:*:volume/*", pattern("arn:aws:ec2:us-east-1:111122223333:volume/*"), "yes"],
    ["arn:aws:ec2:*:*:volume/vol-1", pattern("arn:aws:ec2:us-east-1:111122223333:volume/*"), "maybe"],
    ["arn:aws:ec2:*:222233334444:volume/*", pattern("arn:aws:ec2:us-east-1:111122223333:volume/*"), "no"],
    // The resource part keeps its colons: one component.
    [
      "arn:aws:secretsmanager:*:*:secret:ecs-sc!*",
      exact("arn:aws:secretsmanager:eu-west-1:1:secret:ecs-sc!x"),
      "yes",
    ],
    // A * ending a segment "can expand to match beyond the colon boundaries" (AWS): read component-wise it is
    // "no", across colons "yes", so the answer is not known.
    [
      "arn:aws:secretsmanager:*:secret:ecs-sc!*",
      exact("arn:aws:secretsmanager:eu-west-1:1:secret:ecs-sc!x"),
      "maybe",
    ],
    ["arn:aws:ec2:*:volume/*", exact("arn:aws:ec2:us-east-1:1:volume/vol-1"), "maybe"],
    ["arn:aws:ec2:*:*:volume/*", exact("*"), "no"],
    ["arn:aws:ec2:*:*:volume/*", exact("arn:aws:EC2:us-east-1:1:volume/vol-1"), "no"],
  ];
  it.each(rows)("%s vs %o → %s", (policy, subject, expected) => {
    expect(compareArn(parseGlob(policy), subject)).toBe(expected);
  });

  it("gives the same answers asked again (memoised per policy glob and request value), in any order", () => {
    // Every policy against every subject, cold and then again reversed, with fresh subject objects the second time:
    // a cached answer must be the one the comparison gives, whatever was asked before it.
    const policies = [...new Set(rows.map(([p]) => p))];
    const subjects = rows.map(([, s]) => s);
    const fresh = (s: Subject): Subject =>
      s.kind === "exact" ? { kind: "exact", text: `${s.text}` } : { kind: "pattern", glob: [...s.glob] };
    const first = policies.flatMap((p) => subjects.map((s) => compareArn(parseGlob(p), s)));
    const again = [...policies]
      .reverse()
      .flatMap((p) => [...subjects].reverse().map((s) => compareArn(parseGlob(p), fresh(s))))
      .reverse();
    expect(again).toEqual(first);
    // A glob built afresh (as a substituted variable is) compares as the memoised one does.
    expect(policies.flatMap((p) => subjects.map((s) => compareArn([...parseGlob(p)], s)))).toEqual(first);
    for (const [policy, subject, expected] of rows)
      expect(compareArn(parseGlob(policy), subject)).toBe(expected);
  });
});

describe("resolvePolicyValue", () => {
  const lookup = contextLookup({
    "aws:username": { kind: "exact", values: ["alice"] },
    "aws:PrincipalTag/team": { kind: "absent" },
    "aws:TagKeys": { kind: "exact", values: ["a", "b"] },
    "aws:SourceArn": { kind: "pattern", pattern: "arn:aws:ecs:*" },
  });
  const resolved = (text: string) => {
    const r = resolvePolicyValue(text, lookup, true);
    return r.ok ? { text: globText(r.glob), literalStar: r.glob.includes("*") } : r.unknowns;
  };

  it("substitutes an exact single value, key names ignoring case", () => {
    expect(resolved("home/${AWS:UserName}/*")).toEqual({ text: "home/alice/*", literalStar: false });
  });
  it("uses the default for an absent key", () => {
    expect(resolved("${aws:PrincipalTag/team, 'none'}")).toEqual({ text: "none", literalStar: false });
  });
  it("keeps ${*} a literal star, and ${?} ${$} literal too", () => {
    expect(resolved("a${*}b${?}c${$}")).toEqual({ text: "a*b?c$", literalStar: true });
  });
  it("leaves unknown, absent-without-default, multivalued and pattern values undecided, naming the key", () => {
    expect(resolved("${aws:SourceVpc}")).toEqual([
      { key: "aws:SourceVpc", reason: "policy variable ${aws:SourceVpc} is not in the request context" },
    ]);
    expect(resolved("${aws:PrincipalTag/team}")).toEqual([
      {
        key: "aws:PrincipalTag/team",
        reason: expect.stringMatching(/absent from the request and has no default/),
      },
    ]);
    expect(resolved("${aws:TagKeys}")).toEqual([
      { key: "aws:TagKeys", reason: expect.stringMatching(/2 values/) },
    ]);
    expect(resolved("${aws:SourceArn, 'x'}")).toEqual([
      { key: "aws:SourceArn", reason: expect.stringMatching(/only known as the pattern/) },
    ]);
  });
  it("takes text literally when variables are disabled (Version 2008-10-17)", () => {
    const r = resolvePolicyValue("${aws:username}", lookup, false);
    expect(r.ok && globText(r.glob)).toBe("${aws:username}");
  });
});

describe("IP ranges", () => {
  it.each([
    ["10.0.0.0/8", "10.255.1.2", true],
    ["10.0.0.0/8", "11.0.0.1", false],
    ["203.0.113.7", "203.0.113.7", true],
    ["0.0.0.0/0", "192.0.2.1", true],
    ["2001:db8::/32", "2001:DB8:ffff::1", true],
    ["2001:db8::/32", "2001:db9::1", false],
    ["::ffff:192.0.2.0/120", "::ffff:192.0.2.77", true],
    ["::/0", "10.0.0.1", false],
    ["10.0.0.0/8", "10.0.0.0/4", false],
  ])("%s contains %s → %s", (range, address, expected) => {
    const outer = parseIpRange(range);
    const inner = parseIpRange(address);
    expect(outer && inner && rangeContains(outer, inner)).toBe(expected);
  });
  it.each(["256.0.0.1", "1.2.3", "10.0.0.0/33", "2001:db8::/129", "1::2::3", "12345::", "", "a.b.c.d"])(
    "rejects %s",
    (text) => {
      expect(parseIpRange(text)).toBeUndefined();
    },
  );
});
