import { parseArn, roleNameOf, rolePathOf } from "../arn/arn.ts";
import type { Facts, RoleFacts } from "../facts/types.ts";
import { describeStatement } from "./describe-decision.ts";
import { ECS_SERVICE_PRINCIPAL } from "./ecs-requests.ts";
import { recreateRoleCommands, updateTrustCommand } from "./fix-commands.ts";
import { rolePolicies } from "./role-policies.ts";
import { ecsTrustDecision } from "./trust-access.ts";
import { fixForAction, volumeAccess } from "./volume-access.ts";

/**
 * The role checks a stuck task's cause can be confirmed by: that the role exists, that it trusts ECS, that it holds
 * the volume permissions. The rules that report each are named by the caller (CauseRules).
 */
export type RoleCheck = "exists" | "trust" | "permissions";

const CHECKS: readonly RoleCheck[] = ["exists", "trust", "permissions"];

export interface RoleProblem {
  check: RoleCheck;
  /** What is wrong, as a clause: "role X does not exist". */
  problem: string;
  fix: string;
}

/**
 * The same role, judged again with the analysis the role rules use (not by reading their findings, so a rule
 * turned off in the config does not hide a cause): what is broken, what holds, and what could not be checked.
 */
export interface RoleDiagnosis {
  roleArn: string;
  broken: RoleProblem[];
  holds: RoleCheck[];
  /** Checks that could not be made, with why (a fact error, or a condition the tool cannot prove). */
  unchecked: { check: RoleCheck; why: string }[];
}

/** The role in scope an ARN names: same name (IAM ignores case) and, when both are known, the same account. */
export function findRole(facts: Facts, roleArn: string): RoleFacts | undefined {
  const name = roleNameOf(roleArn).toLowerCase();
  const account = parseArn(roleArn)?.account;
  const accountOf = (r: RoleFacts) =>
    parseArn(r.role.ok && r.role.value.exists ? r.role.value.arn : r.ref)?.account ??
    (facts.caller.ok ? facts.caller.value.account : undefined);
  return facts.roles.find(
    (r) => r.name.toLowerCase() === name && (!account || !accountOf(r) || accountOf(r) === account),
  );
}

export function diagnoseRole(facts: Facts, roleArn: string): RoleDiagnosis {
  const diagnosis: RoleDiagnosis = { roleArn, broken: [], holds: [], unchecked: [] };
  const role = findRole(facts, roleArn);
  const name = roleNameOf(roleArn);
  if (!role) {
    for (const check of CHECKS) diagnosis.unchecked.push({ check, why: `role ${name} was not collected` });
    return diagnosis;
  }
  if (!role.role.ok) {
    const why = `${role.role.error.api} failed with ${role.role.error.code}`;
    for (const check of CHECKS) diagnosis.unchecked.push({ check, why });
    return diagnosis;
  }
  const detail = role.role.value;
  if (!detail.exists) {
    diagnosis.broken.push({
      check: "exists",
      problem: `role ${name} does not exist`,
      fix: recreateRoleCommands(name, rolePathOf(roleArn)),
    });
    return diagnosis;
  }
  diagnosis.holds.push("exists");

  const trust = ecsTrustDecision(facts, detail);
  if (!trust.ok)
    diagnosis.unchecked.push({ check: "trust", why: `${trust.error.code}: ${trust.error.message}` });
  else if (trust.value.decision.decision === "allow") diagnosis.holds.push("trust");
  else if (trust.value.decision.decision === "conditional") {
    diagnosis.unchecked.push({
      check: "trust",
      why: "the trust policy has conditions the tool cannot prove ECS meets",
    });
  } else {
    const denied = trust.value.decision.decision === "explicit-deny";
    const by = denied ? ` (${trust.value.decision.statements.map(describeStatement).join(", ")})` : "";
    diagnosis.broken.push({
      check: "trust",
      problem: `the trust policy of ${name} ${denied ? "denies" : "does not allow"} ${ECS_SERVICE_PRINCIPAL} sts:AssumeRole${by}`,
      fix: updateTrustCommand(name),
    });
  }

  const policies = rolePolicies(facts, role);
  if (!policies.ok) {
    diagnosis.unchecked.push({
      check: "permissions",
      why: `${policies.error.api} failed with ${policies.error.code}`,
    });
    return diagnosis;
  }
  const verdicts = volumeAccess(facts, policies.value);
  const refused = verdicts.filter(
    (v) => v.decision.decision === "explicit-deny" || v.decision.decision === "implicit-deny",
  );
  if (refused.length) {
    const partition = parseArn(policies.value.arn)?.partition ?? "aws";
    diagnosis.broken.push({
      check: "permissions",
      problem: `${name} may not ${refused.map((v) => v.action).join(", ")}`,
      fix: [
        ...new Set(refused.map((v) => fixForAction(name, v, partition, detail.permissionsBoundaryArn))),
      ].join("\n"),
    });
  } else if (verdicts.some((v) => v.decision.decision === "conditional")) {
    diagnosis.unchecked.push({
      check: "permissions",
      why: "the volume permissions depend on conditions the tool cannot prove",
    });
  } else diagnosis.holds.push("permissions");
  return diagnosis;
}
