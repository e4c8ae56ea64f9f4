import { parseArn, roleKey } from "../arn/arn.ts";
import type { Facts } from "../facts/types.ts";
import { evaluateIdentity } from "../iam/evaluate.ts";
import type { Decision } from "../iam/types.ts";
import { absentKeyReasons } from "./describe-decision.ts";
import {
  detachFromInstanceRequest,
  VOLUME_ACTIONS,
  type VolumeAction,
  volumeRequest,
} from "./ecs-requests.ts";
import {
  attachVolumesPolicyCommand,
  editInlinePolicyCommands,
  editManagedPolicyCommands,
  shellQuote,
} from "./fix-commands.ts";
import type { RolePolicies } from "./role-policies.ts";

export interface ActionVerdict {
  action: VolumeAction;
  decision: Decision;
}

/** Evaluates the three volume actions ECS needs against a role's effective permissions. */
export function volumeAccess(facts: Facts, policies: RolePolicies): ActionVerdict[] {
  const cached = evaluated.get(policies);
  if (cached?.region === facts.region) return cached.verdicts;
  const verdicts = evaluateVolumeActions(facts, policies);
  evaluated.set(policies, { region: facts.region, verdicts });
  return verdicts;
}

/** Verdicts per (memoised) RolePolicies: volume-permissions, managed-policy and the stuck-task diagnosis share them. */
const evaluated = new WeakMap<RolePolicies, { region: string; verdicts: ActionVerdict[] }>();

/** Where the role acts (for the request contexts) and the policies that decide (identity within boundary). */
export function judgedAs(facts: Facts, policies: RolePolicies) {
  return {
    loc: {
      partition: parseArn(policies.arn)?.partition ?? "aws",
      region: facts.region,
      account: policies.account,
      roleArn: policies.arn,
    },
    set: { identity: policies.identity, ...(policies.boundary ? { boundary: policies.boundary } : {}) },
  };
}

function evaluateVolumeActions(facts: Facts, policies: RolePolicies): ActionVerdict[] {
  const { loc, set } = judgedAs(facts, policies);
  return VOLUME_ACTIONS.map((action) => ({
    action,
    decision: evaluateIdentity(volumeRequest(action, loc), set),
  }));
}

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
  return facts.ecs.clusters.value.some(
    (c) =>
      c.tasks.ok &&
      c.tasks.value.some(
        (t) =>
          t.ebsAttachments.some((a) => a.roleArn && roleKey(a.roleArn, undefined) === role) &&
          (t.launchType
            ? !FARGATE.has(t.launchType)
            : t.capacityProviderName
              ? !FARGATE.has(t.capacityProviderName)
              : false),
      ),
  );
}
