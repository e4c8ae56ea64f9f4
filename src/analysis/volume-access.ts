import { roleKey } from "../arn/arn.ts";
import type { Facts } from "../facts/types.ts";
import { evaluateIdentity } from "../iam/evaluate.ts";
import type { Decision } from "../iam/types.ts";
import { absentKeyReasons } from "./describe-decision.ts";
import { detachFromInstanceRequest, type VolumeAction } from "./ecs-requests.ts";
import {
  attachVolumesPolicyCommand,
  editInlinePolicyCommands,
  editManagedPolicyCommands,
  shellQuote,
} from "./fix-commands.ts";
import { infrastructureUse } from "./infrastructure-uses.ts";
import type { RolePolicies } from "./role-policies.ts";
import { judgedAs, useAccess } from "./use-access.ts";

export interface ActionVerdict {
  action: VolumeAction;
  decision: Decision;
}

/** Evaluates the three volume actions ECS needs against a role's effective permissions (the EBS use's requirements). */
export function volumeAccess(facts: Facts, policies: RolePolicies): ActionVerdict[] {
  return useAccess(facts, policies, infrastructureUse("ebs")).map((v) => ({
    action: v.action as VolumeAction,
    decision: v.decision,
  }));
}

export { judgedAs };

/**
 * The fix for an action the role may not perform, aimed at the policy that blocks it; with nothing blocking it,
 * `otherwise` (by default: attach the managed volumes policy).
 */
export function fixForAction(
  roleName: string,
  verdict: { action: string; decision: Decision },
  partition: string,
  boundaryArn?: string,
  otherwise?: string,
): string {
  const { decision } = verdict;
  const deny = decision.statements.find((s) => s.effect === "Deny");
  if (decision.decision === "explicit-deny" && deny) {
    return deny.source.kind === "inline"
      ? editInlinePolicyCommands(roleName, deny.source.name, deny.sid)
      : editManagedPolicyCommands(deny.source.arn ?? deny.source.name, deny.source.versionId, deny.sid);
  }
  if (decision.boundary === "implicit-deny" && boundaryArn) {
    return [
      `# the permissions boundary ${boundaryArn} does not allow the action: extend it, or remove the boundary:`,
      editManagedPolicyCommands(boundaryArn, undefined, undefined),
      `# or: aws iam delete-role-permissions-boundary --role-name ${shellQuote(roleName)}`,
    ].join("\n");
  }
  const fallback = otherwise ?? attachVolumesPolicyCommand(roleName, partition);
  const why = decision.decision === "implicit-deny" ? absentKeyReasons(decision, verdict.action) : [];
  if (why.length) {
    return [
      `# ${why.join("; ")}: drop that condition for ${verdict.action}, or ${otherwise ? "grant it as below" : "attach the AWS managed policy"}:`,
      fallback,
    ].join("\n");
  }
  return fallback;
}

/** ec2:DetachVolume on the instance a volume is attached to (tasks on EC2 instances only). */
export function instanceDetachAccess(facts: Facts, policies: RolePolicies): Decision {
  const { loc, set } = judgedAs(facts, policies);
  return evaluateIdentity(detachFromInstanceRequest(loc), set);
}

const FARGATE = new Set(["FARGATE", "FARGATE_SPOT"]);

/**
 * Whether the role is known to serve a task whose volume hangs off an EC2 instance: a launch type other than
 * FARGATE, or a capacity provider other than FARGATE/FARGATE_SPOT. Unknown (no ECS facts) is "not known".
 */
export function servesInstanceTasks(facts: Facts, roleArn: string): boolean {
  if (!facts.ecs?.clusters.ok) return false;
  const role = roleKey(roleArn, undefined);
  // Where the task runs first (a field read), whose role its volumes name second (an ARN parsed per attachment):
  // on a Fargate-only account no attachment is looked at.
  return facts.ecs.clusters.value.some(
    (c) =>
      c.tasks.ok &&
      c.tasks.value.some(
        (t) =>
          (t.launchType
            ? !FARGATE.has(t.launchType)
            : t.capacityProviderName
              ? !FARGATE.has(t.capacityProviderName)
              : false) && t.ebsAttachments.some((a) => a.roleArn && roleKey(a.roleArn, undefined) === role),
      ),
  );
}
