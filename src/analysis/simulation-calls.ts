import type { RoleFacts } from "../facts/types.ts";
import type { RequestContext, RequestValue } from "../iam/types.ts";
import { compareText } from "../order.ts";
import { detachFromInstanceRequest, type RoleLocation } from "./ecs-requests.ts";
import { type InfrastructureUse, requirementsFor } from "./infrastructure-uses.ts";

/**
 * The iam:SimulatePrincipalPolicy calls that ask AWS about one use of a role: the use's actions, on the resources
 * the evaluator judges them on, with the context keys the evaluator assumes ECS's requests carry (DESIGN.md
 * "Organizations policies"). One call carries one list of ResourceArns and one list of ContextEntries for all its
 * ActionNames, and a use's requests differ in both (ec2:DescribeVolumes names no resource and carries no resource
 * tags; DeleteVolume names a volume tagged AmazonECSManaged): so the requests are grouped by resource and context,
 * one call per group. Most uses come to one to three calls.
 */

/** One ContextEntry of the call (ContextKeyType string, or stringList for several values). */
export interface SimulationContextEntry {
  name: string;
  values: string[];
  type: "string" | "stringList";
}

export interface SimulationCall {
  actions: string[];
  resources: string[];
  context: SimulationContextEntry[];
}

/**
 * What the simulator is told of a request value. A value the evaluator knows only as a pattern ("some task ARN of
 * this account and Region") goes as that pattern: the simulator matches it literally, which `*` in a policy or an
 * SCP covers as it covers the real value.
 */
function literal(value: RequestValue): string[] | undefined {
  if (value.kind === "exact") return value.values;
  if (value.kind === "pattern") return [value.pattern];
  return undefined; // absent: not supplied, as the request does not carry it
}

function contextOf(request: RequestContext): SimulationContextEntry[] {
  return Object.entries(request.context)
    .flatMap(([name, value]) => {
      const values = literal(value);
      return values ? [{ name, values, type: values.length > 1 ? "stringList" : "string" } as const] : [];
    })
    .sort((a, b) => compareText(a.name, b.name));
}

const has = (request: RequestContext, key: string) =>
  Object.keys(request.context).some((k) => k.toLowerCase() === key.toLowerCase());

/**
 * What every request of the role carries because its account is in an organization, for the simulator only (the
 * tool's evaluator leaves these keys unknown): aws:PrincipalOrgID, the role's account's organization; and
 * aws:ResourceOrgID on a resource the request names in the role's own account (aws:ResourceAccount exactly it),
 * which belongs to that organization, and on a list call (resource "*", DescribeVolumes), which reads the account
 * it is made in. AWS's simulator evaluates an SCP condition on a key it is not given as if the request did not
 * carry it (aws/aws-cli#10525): a resource perimeter SCP (aws:ResourceOrgID with …IfExists, Action "*", as
 * aws-samples/data-perimeter-policy-examples ships it) would otherwise deny the account's own volumes and every
 * Describe call, which AWS's own sample does not do to the accounts it is written for.
 */
function organizationKeys(
  request: RequestContext,
  loc: RoleLocation,
  organizationId: string | undefined,
): SimulationContextEntry[] {
  if (!organizationId) return [];
  const account = request.context["aws:ResourceAccount"];
  const listed =
    request.resource.kind === "exact" &&
    request.resource.values.length === 1 &&
    request.resource.values[0] === "*";
  const own =
    listed || (account?.kind === "exact" && account.values.length === 1 && account.values[0] === loc.account);
  const entry = (name: string) => ({ name, values: [organizationId], type: "string" as const });
  return [
    ...(has(request, "aws:PrincipalOrgID") ? [] : [entry("aws:PrincipalOrgID")]),
    ...(own && !has(request, "aws:ResourceOrgID") ? [entry("aws:ResourceOrgID")] : []),
  ];
}

/** A tag the simulator can be told: a key of the characters other context keys use, and a value. */
const SENDABLE_TAG = /^[\w+=,.@:/-]+$/;

/**
 * The role's tags as its session's aws:PrincipalTag/<key> (ECS passes no session tags): an SCP that exempts or
 * targets roles by tag is otherwise simulated as if the role had none. A key the role does not have is absent from
 * its requests, as the simulator takes it. A tag with an empty value or a key with spaces is left out (simulated as
 * absent, as before), so that no call risks being refused for it.
 */
function principalTagKeys(request: RequestContext, tags: Record<string, string>): SimulationContextEntry[] {
  return Object.entries(tags)
    .filter(([key, value]) => SENDABLE_TAG.test(key) && value !== "")
    .filter(([key]) => !has(request, `aws:PrincipalTag/${key}`))
    .map(([key, value]) => ({ name: `aws:PrincipalTag/${key}`, values: [value], type: "string" as const }));
}

/**
 * Requests ECS makes for the use that its requirements leave out, because only some of its users need them: the
 * EBS use's DetachVolume authorised on the EC2 instance a task's volume hangs off (EC2 launch type, capacity
 * providers, Managed Instances; not Fargate), which volume-permissions judges beside the three volume actions. An SCP
 * may deny it there alone.
 */
function beyondRequirements(use: InfrastructureUse, loc: RoleLocation): RequestContext[] {
  return use.id === "ebs" ? [detachFromInstanceRequest(loc)] : [];
}

/** What the simulator is told beyond the request model: the role's organization and tags. */
export interface SimulationSubject {
  /** The organization the role's account is in (DescribeOrganization's Id). */
  organizationId?: string;
  /** The role's tags (GetRole). */
  tags?: Record<string, string>;
  /**
   * How ECS is seen to use the role: the requirements simulated are those the rules judge (requirementsFor); absent,
   * every requirement of the use.
   */
  role?: Pick<RoleFacts, "referencedBy">;
}

/**
 * The calls for one use of a role at `loc`, each action in every call whose request shape it has; with what is
 * known of the role (`subject`), its requests' organization keys (organizationKeys) and principal tags too.
 */
export function simulationCalls(
  use: InfrastructureUse,
  loc: RoleLocation,
  subject: SimulationSubject = {},
): SimulationCall[] {
  const calls = new Map<string, SimulationCall>();
  const requests = [
    ...requirementsFor(use, subject.role).flatMap((requirement) => requirement.requests(loc)),
    ...beyondRequirements(use, loc),
  ];
  for (const request of requests) {
    const resources = literal(request.resource) ?? ["*"];
    const context = [
      ...contextOf(request),
      ...organizationKeys(request, loc, subject.organizationId),
      ...principalTagKeys(request, subject.tags ?? {}),
    ].sort((a, b) => compareText(a.name, b.name));
    const key = JSON.stringify([resources, context]);
    const call = calls.get(key) ?? { actions: [], resources, context };
    if (!call.actions.includes(request.action)) call.actions.push(request.action);
    calls.set(key, call);
  }
  return [...calls.values()];
}
