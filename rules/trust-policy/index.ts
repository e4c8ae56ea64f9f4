import { decisionDetails, mayBeDenied, undecidedWhat } from "../../src/analysis/describe-decision.ts";
import { ECS_SERVICE_PRINCIPAL } from "../../src/analysis/ecs-requests.ts";
import { updateTrustCommand } from "../../src/analysis/fix-commands.ts";
import {
  type Dependents,
  dependentsOf,
  roleConsequence,
  roleResource,
} from "../../src/analysis/role-subject.ts";
import { ecsTrustDecision } from "../../src/analysis/trust-access.ts";
import type { UnknownDetails } from "../../src/engine/finding.ts";
import { defineRule, type RuleResult } from "../../src/engine/rule.ts";
import { unknownFinding } from "../../src/engine/unknown.ts";
import type { Policy } from "../../src/iam/types.ts";
import { messages } from "./messages.ts";
import { RESTORE_TRUST } from "./snippets.ts";

/** The trust decision and who depends on the role; for a trust that names no ECS, whom it trusts instead. */
type TrustDetails = ReturnType<typeof decisionDetails> & {
  dependents: Dependents;
  trustedPrincipals?: string[];
};

export default defineRule({
  meta: {
    id: "trust-policy",
    title: "Trust policy lets ECS assume the role",
    severity: "fail",
    concern: "stopping-tasks",
    needs: ["roles"],
    docs: {
      summary: `The role's trust policy allows ${ECS_SERVICE_PRINCIPAL} to perform sts:AssumeRole.`,
      rationale:
        "ECS assumes the infrastructure role to manage a task's EBS volume. A trust policy that names another principal " +
        "(ecs-tasks.amazonaws.com is a common mix-up), denies ecs.amazonaws.com, or puts conditions on the request that " +
        "ECS may not meet leaves stopping tasks stuck in DEPROVISIONING. The check models ECS assuming the role for the " +
        "account's own clusters: aws:SourceAccount is the role's account and aws:SourceArn some ECS ARN of that account " +
        "and region. Conditions that hold for every such request pass. A condition no such request can meet (another " +
        "account in aws:SourceAccount fails whether ECS sends the key or not) fails. An Allow whose condition ECS may " +
        "or may not meet (a narrower aws:SourceArn, another key) is a warning naming it; a Deny that may apply is " +
        "unknown, because nothing then proves ECS can assume the role.",
      remediation:
        "Restore the documented trust policy:\n\n" +
        "aws iam update-assume-role-policy --role-name NAME --policy-document " +
        `'{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com"},"Action":"sts:AssumeRole"}]}'`,
    },
    snippets: RESTORE_TRUST,
    messages,
  },
  check(facts) {
    const findings: RuleResult<TrustDetails | UnknownDetails, typeof messages>[] = [];
    for (const role of facts.roles) {
      if (!role.role.ok) {
        findings.push(
          unknownFinding(roleResource(facts, role), `the trust policy of ${role.name}`, role.role.error),
        );
        continue;
      }
      const detail = role.role.value;
      if (!detail.exists) continue; // role-exists reports it
      const judged = ecsTrustDecision(facts, detail);
      if (!judged.ok) {
        findings.push(unknownFinding(detail.arn, `the trust policy of ${role.name}`, judged.error));
        continue;
      }
      const { decision, policy } = judged.value;
      const details = { ...decisionDetails(decision), dependents: dependentsOf(role) };
      const said = { role: role.name, breaks: roleConsequence(role), dependents: details.dependents };
      const fix = updateTrustCommand(role.name);
      const resource = detail.arn;
      switch (decision.decision) {
        case "allow":
          findings.push({
            status: "pass",
            resource,
            messageId: "allowed",
            data: { role: role.name, statements: decision.statements },
            details,
          });
          break;
        case "conditional":
          // A narrower SourceArn or another key may well be met by ECS: a warning. A Deny that may apply is not proof
          // of anything: unknown, so the gate stays shut.
          findings.push({
            status: mayBeDenied(decision) ? "unknown" : "warn",
            resource,
            messageId: mayBeDenied(decision) ? "mayDeny" : "unproven",
            data: { ...said, undecided: undecidedWhat(decision) },
            details,
            remediation: `Check that ECS sends the condition keys with the values the trust policy expects, or restore the documented trust policy:\n${fix}`,
          });
          break;
        case "explicit-deny":
          findings.push({
            status: "fail",
            resource,
            messageId: "denied",
            data: { ...said, statements: decision.statements },
            details,
            remediation: fix,
          });
          break;
        default:
          findings.push({
            status: "fail",
            resource,
            messageId: "notAllowed",
            data: said,
            details: { ...details, trustedPrincipals: trustedPrincipals(policy) },
            remediation: fix,
          });
      }
    }
    return findings;
  },
});

/** Who the Allow statements trust ("Service:ecs-tasks.amazonaws.com"), so a reader sees the mix-up at once. */
function trustedPrincipals(policy: Policy): string[] {
  return policy.statements
    .filter((s) => s.effect === "Allow")
    .flatMap((s) =>
      Object.entries(s.principal ?? {}).flatMap(([type, ids]) => ids.map((id) => `${type}:${id}`)),
    );
}
