import {
  type ContextEntry,
  type EvaluationResult,
  type IAMClient,
  paginateSimulatePrincipalPolicy,
} from "@aws-sdk/client-iam";
import { infrastructureUse, usesOf } from "../analysis/infrastructure-uses.ts";
import { type SimulationCall, simulationCalls } from "../analysis/simulation-calls.ts";
import { parseArn } from "../arn/arn.ts";
import type { Fact, RoleFacts, SimulatedAction, SimulatedCall, SimulationResult } from "../facts/types.ts";
import { gather } from "./fact.ts";

/**
 * iam:SimulatePrincipalPolicy for each use of a role (src/analysis/simulation-calls.ts says which calls), every page
 * (IsTruncated/Marker). AWS evaluates the role's identity policies, its boundary and the SCPs that apply to it; the
 * answer is kept per action as AWS gave it, for the Organizations judgement (src/analysis/organizations-decision.ts).
 */

const unique = (values: Iterable<string>) => [...new Set(values)];

function toAction(result: EvaluationResult): SimulatedAction {
  const perResource = result.ResourceSpecificResults ?? [];
  const allowed = result.OrganizationsDecisionDetail?.AllowedByOrganizations;
  const statements = [
    ...(result.MatchedStatements ?? []),
    ...perResource.flatMap((r) => r.MatchedStatements ?? []),
  ];
  return {
    action: result.EvalActionName ?? "",
    evalDecision: result.EvalDecision ?? "implicitDeny",
    ...(allowed === undefined ? {} : { allowedByOrganizations: allowed }),
    // Without ResourceArns AWS lists the keys at the top; with them, per resource.
    missingContextValues: unique([
      ...(result.MissingContextValues ?? []),
      ...perResource.flatMap((r) => r.MissingContextValues ?? []),
    ]),
    matchedStatements: unique(
      statements.map((s) => JSON.stringify([s.SourcePolicyId, s.SourcePolicyType])),
    ).map((key) => {
      const [id, type] = JSON.parse(key) as [string | null, string | null];
      return { ...(id ? { sourcePolicyId: id } : {}), ...(type ? { sourcePolicyType: type } : {}) };
    }),
  };
}

async function simulateCall(
  iam: IAMClient,
  roleArn: string,
  call: SimulationCall,
  pageSize: number | undefined,
): Promise<SimulatedCall> {
  const ContextEntries: ContextEntry[] = call.context.map((c) => ({
    ContextKeyName: c.name,
    ContextKeyValues: c.values,
    ContextKeyType: c.type,
  }));
  const results: SimulatedAction[] = [];
  const pages = paginateSimulatePrincipalPolicy(
    { client: iam, ...(pageSize ? { pageSize } : {}) },
    { PolicySourceArn: roleArn, ActionNames: call.actions, ResourceArns: call.resources, ContextEntries },
  );
  for await (const page of pages) for (const r of page.EvaluationResults ?? []) results.push(toAction(r));
  return { resources: call.resources, contextKeys: call.context.map((c) => c.name), results };
}

/** The uses simulated for a role: those ECS was seen to give it, and EBS volumes for a role named with --role. */
export function simulatedUses(role: RoleFacts) {
  const uses = usesOf(role);
  if (role.referencedBy.some((r) => r.kind === "flag") && !uses.some((u) => u.id === "ebs"))
    return [infrastructureUse("ebs"), ...uses];
  return uses;
}

/**
 * One fact per use of the role (keyed by use id); undefined for a role IAM did not answer for. `organizationId`: the
 * organization the account is in (DescribeOrganization), whose keys the requests carry; the role's tags are its
 * requests' aws:PrincipalTag keys.
 */
export async function simulateRole(
  iam: IAMClient,
  role: RoleFacts,
  region: string,
  pageSize?: number,
  organizationId?: string,
): Promise<Record<string, Fact<SimulationResult>> | undefined> {
  if (!role.role.ok || !role.role.value.exists) return undefined;
  const roleArn = role.role.value.arn;
  const tags = role.role.value.tags;
  const subject = { ...(organizationId ? { organizationId } : {}), ...(tags ? { tags } : {}), role };
  const arn = parseArn(roleArn);
  const loc = { partition: arn?.partition ?? "aws", region, account: arn?.account ?? "", roleArn };
  const entries = await Promise.all(
    simulatedUses(role).map(async (use) => {
      const fact = await gather("iam:SimulatePrincipalPolicy", async () => {
        const calls: SimulatedCall[] = [];
        for (const call of simulationCalls(use, loc, subject))
          calls.push(await simulateCall(iam, roleArn, call, pageSize));
        return { calls };
      });
      return [use.id, fact] as const;
    }),
  );
  return Object.fromEntries(entries);
}
