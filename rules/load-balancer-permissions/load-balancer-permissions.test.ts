import { expect } from "vitest";
import type { LoadBalancerKind, RoleReference } from "../../src/facts/types.ts";
import { ACCOUNT, managed, policy } from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import {
  copyWithout,
  referenceFor,
  USE_ROLE_ARN,
  useFacts,
  usePolicyDocument,
  useRuleCases,
} from "../../test/support/use-cases.ts";
import rule from "./index.ts";

const COPY = `arn:aws:iam::${ACCOUNT}:policy/copy`;
const shared = useRuleCases("load-balancer", "elasticloadbalancing:ModifyRule");
const MODIFY_LISTENER = "elasticloadbalancing:ModifyListener";
const MODIFY_RULE = "elasticloadbalancing:ModifyRule";

/** The managed policy less some of its statements (by Sid), less `drop` actions: a least-privilege customer copy. */
function copyWithoutStatements(sids: string[], ...drop: string[]) {
  const doc = usePolicyDocument("load-balancer");
  doc.Statement = doc.Statement.filter((s) => !sids.includes(s.Sid as string))
    .map((s) => ({
      ...s,
      Action: ([] as string[]).concat(s.Action as string).filter((a) => !drop.includes(a)),
    }))
    .filter((s) => s.Action.length > 0);
  return doc;
}

/** Only the ALB statements' listener actions (ModifyListener on listener/app, ModifyRule on listener-rule/app). */
const ALB_ONLY = copyWithoutStatements(["NLBModifyListeners"]);
/** Only the NLB statement's (ModifyListener on listener/net): no ModifyRule at all. */
const NLB_ONLY = copyWithoutStatements(["ALBModifyListeners", "ALBModifyRules"]);

/** Services naming the role for blue/green on these kinds of load balancer (undefined: kinds not known). */
const namedFor = (...kinds: (LoadBalancerKind[] | undefined)[]): RoleReference[] =>
  kinds.map((k, i) => ({
    ...(referenceFor("load-balancer", `web${i}`) as Extract<RoleReference, { kind: "service" }>),
    ...(k ? { loadBalancerKinds: k } : {}),
  }));

/** The role holding only `doc` (a customer copy), named by services on `kinds`. */
const copyFacts = (doc: unknown, referencedBy: RoleReference[]) =>
  useFacts("load-balancer", { attached: [COPY], referencedBy }, { policies: [managed(COPY, doc)] });

const actionsOf = (f: { details?: Record<string, unknown> } | undefined) =>
  f?.details?.actions as Record<string, { decision: string; policySid?: string }>;

testRule(rule, {
  valid: [
    ...shared.valid,
    {
      name: "an ALB-only least-privilege copy (no ModifyListener on listener/net) for ALB services: pass",
      facts: copyFacts(ALB_ONLY, namedFor(["application"], ["application"])),
      expect: { [USE_ROLE_ARN]: "pass" },
      assert: ([f]) => {
        expect(actionsOf(f)[MODIFY_LISTENER]).toMatchObject({
          decision: "allow",
          policySid: "ALBModifyListeners",
        });
        expect(actionsOf(f)[MODIFY_RULE]?.decision).toBe("allow");
      },
    },
    {
      name: "an NLB-only copy (ModifyListener on listener/net, no ModifyRule) for an NLB service: pass",
      facts: copyFacts(NLB_ONLY, namedFor(["network"])),
      expect: { [USE_ROLE_ARN]: "pass" },
      assert: ([f]) => {
        expect(actionsOf(f)[MODIFY_LISTENER]).toMatchObject({
          decision: "allow",
          policySid: "NLBModifyListeners",
        });
        // ECS modifies no listener rule on an NLB: the action is not required.
        expect(Object.keys(actionsOf(f))).not.toContain(MODIFY_RULE);
      },
    },
  ],
  invalid: [
    ...shared.invalid,
    {
      name: "the ALB-only copy missing ModifyRule, for an ALB service: fail naming it",
      facts: copyFacts(copyWithoutStatements(["NLBModifyListeners"], MODIFY_RULE), namedFor(["application"])),
      expect: { [USE_ROLE_ARN]: "fail" },
      message: { [USE_ROLE_ARN]: /elasticloadbalancing:ModifyRule not allowed by any policy/ },
    },
    {
      name: "the ALB-only copy for an NLB service: fail, ModifyListener on listener/net not allowed",
      facts: copyFacts(ALB_ONLY, namedFor(["network"])),
      expect: { [USE_ROLE_ARN]: "fail" },
      message: { [USE_ROLE_ARN]: /elasticloadbalancing:ModifyListener not allowed by any policy/ },
      assert: ([f]) => expect(Object.keys(actionsOf(f))).not.toContain(MODIFY_RULE),
    },
    {
      name: "the ALB-only copy where the kind is not known (older facts, an ARN of another shape): both required, fail",
      facts: copyFacts(ALB_ONLY, namedFor(undefined)),
      expect: { [USE_ROLE_ARN]: "fail" },
      message: { [USE_ROLE_ARN]: /elasticloadbalancing:ModifyListener not allowed by any policy/ },
    },
    {
      name: "the ALB-only copy, one service's kind known and another's not: both required, fail",
      facts: copyFacts(ALB_ONLY, namedFor(["application"], undefined)),
      expect: { [USE_ROLE_ARN]: "fail" },
      message: { [USE_ROLE_ARN]: /elasticloadbalancing:ModifyListener not allowed by any policy/ },
    },
    {
      name: "the ALB-only copy for ALB and NLB services: both required, fail",
      facts: copyFacts(ALB_ONLY, namedFor(["application"], ["network"])),
      expect: { [USE_ROLE_ARN]: "fail" },
      message: { [USE_ROLE_ARN]: /elasticloadbalancing:ModifyListener not allowed by any policy/ },
    },
    {
      name: "the NLB-only copy for one service on both kinds: ModifyRule and the ALB listeners required, fail",
      facts: copyFacts(NLB_ONLY, namedFor(["application", "network"])),
      expect: { [USE_ROLE_ARN]: "fail" },
      message: { [USE_ROLE_ARN]: /elasticloadbalancing:ModifyRule not allowed by any policy/ },
      assert: ([f]) => expect(actionsOf(f)[MODIFY_LISTENER]?.decision).toBe("implicit-deny"),
    },
    {
      name: "ModifyListener allowed only on listeners tagged AmazonECSManaged (the customer's, tags unknown): unknown",
      facts: useFacts(
        "load-balancer",
        {
          attached: [COPY],
          inline: {
            tagged: policy({
              Effect: "Allow",
              Action: "elasticloadbalancing:ModifyListener",
              Resource: "*",
              Condition: { StringEquals: { "aws:ResourceTag/AmazonECSManaged": "true" } },
            }),
          },
        },
        { policies: [managed(COPY, copyWithout("load-balancer", "elasticloadbalancing:ModifyListener"))] },
      ),
      expect: { [USE_ROLE_ARN]: "unknown" },
      message: { [USE_ROLE_ARN]: /elasticloadbalancing:ModifyListener allowed only if ECS's request meets/ },
    },
  ],
});
