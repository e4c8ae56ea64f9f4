// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${...}" here is IAM policy-variable syntax, not a template.
import { describe, expect, it } from "vitest";
import { evaluateIdentity, type Policy, parsePolicy, type RequestContext } from "../../src/iam/index.ts";

/**
 * The evaluator's memos (per Action list, per policy glob and request value, per glob's literal text) are keyed on
 * object identity: one parsed policy judged again and again, under different contexts, in any order, must answer as
 * a fresh parse of it would. Each case is asked of the shared policy in both orders and of a fresh parse.
 */

function policy(document: unknown): Policy {
  const parsed = parsePolicy(document, { kind: "inline", name: "p" });
  if (!parsed.ok) throw new Error("does not parse");
  return parsed.policy;
}

const VOLUME = "arn:aws:ec2:us-east-1:111122223333:volume/vol-1";
const request = (
  action: string,
  context: RequestContext["context"] = {},
  resource = VOLUME,
): RequestContext => ({
  action,
  resource: { kind: "exact", values: [resource] },
  context,
});
const tag = (value: string) => ({ "aws:PrincipalTag/team": { kind: "exact" as const, values: [value] } });

function decisions(document: unknown, requests: RequestContext[]): string[] {
  const shared = policy(document);
  const forward = requests.map((r) => evaluateIdentity(r, { identity: [shared] }).decision);
  const backward = [...requests].reverse().map((r) => evaluateIdentity(r, { identity: [shared] }).decision);
  const fresh = requests.map((r) => evaluateIdentity(r, { identity: [policy(document)] }).decision);
  expect(backward.reverse()).toEqual(forward);
  expect(fresh).toEqual(forward);
  return forward;
}

describe("memoised evaluation answers as a fresh one", () => {
  it("a policy variable in a Resource, substituted from two contexts, never reuses the other's answer", () => {
    const doc = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "ec2:DeleteVolume",
          Resource: "arn:aws:ec2:*:*:volume/${aws:PrincipalTag/team}",
        },
      ],
    };
    expect(
      decisions(doc, [
        request("ec2:DeleteVolume", tag("vol-1")),
        request("ec2:DeleteVolume", tag("vol-2")),
        request("ec2:DeleteVolume", tag("vol-1")),
        request("ec2:DeleteVolume", {}),
      ]),
    ).toEqual(["allow", "implicit-deny", "allow", "conditional"]);
  });

  it("a Deny with NotAction, case and `?` in actions, judged in any order (a statement with neither is refused by the parser)", () => {
    const doc = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "EC2:Delete?olume", Resource: "*" },
        { Effect: "Allow", Action: ["ec2:DETACHVOLUME"], Resource: "*" },
        { Effect: "Deny", NotAction: ["ec2:deletevolume", "ec2:Detach*"], Resource: "*" },
      ],
    };
    expect(
      decisions(doc, [
        request("ec2:DeleteVolume"),
        request("ec2:deleteVOLUME"),
        request("ec2:DetachVolume"),
        request("ec2:DescribeVolumes"),
        request("ec2:DeleteVolumes"),
      ]),
    ).toEqual(["allow", "allow", "allow", "explicit-deny", "explicit-deny"]);
  });

  it("an Allow the Action does not name is no part of an implicit deny's absent-key explanation", () => {
    const doc = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "ec2:DeleteVolume",
          Resource: "*",
          Condition: { Null: { "aws:TagKeys": "false" } },
        },
        {
          Effect: "Allow",
          Action: "ec2:CreateVolume",
          Resource: "*",
          Condition: { Null: { "aws:TagKeys": "false" } },
        },
      ],
    };
    const shared = policy(doc);
    const d = evaluateIdentity(
      { ...request("ec2:DeleteVolume"), absentKeys: ["aws:TagKeys"] },
      { identity: [shared] },
    );
    expect(d.decision).toBe("implicit-deny");
    expect(d.absentKeyConditions?.map((c) => c.statement.index)).toEqual([0]);
  });

  it("a Resource with no wildcard is matched by equality, case-sensitive, as the regular expression did", () => {
    const doc = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "ec2:DeleteVolume", Resource: VOLUME }],
    };
    expect(
      decisions(doc, [
        request("ec2:DeleteVolume", {}, VOLUME),
        request("ec2:DeleteVolume", {}, VOLUME.toUpperCase()),
        request("ec2:DeleteVolume", {}, `${VOLUME}\n`),
        request("ec2:DeleteVolume", {}, VOLUME.replace("vol-1", "vol-10")),
      ]),
    ).toEqual(["allow", "implicit-deny", "implicit-deny", "implicit-deny"]);
  });
});
