import { parseArn } from "../arn/arn.ts";
import type { LoadBalancerKind, RoleFacts } from "../facts/types.ts";

/**
 * Which kinds of load balancer a blue/green role serves, and which of the load balancers policy's requirements that
 * makes ECS need. A service's `loadBalancers[].advancedConfiguration` names the production (and optionally test)
 * traffic route: for an Application Load Balancer a listener rule (`…:listener-rule/app/<lb>/<id>/<listener>/<rule>`),
 * for a Network Load Balancer a listener (`…:listener/net/<lb>/<id>/<listener>`). ECS rewrites only those, so a
 * requirement the managed policy grants on one kind's resources (`listener/app/*`, `listener/net/*`,
 * `listener-rule/app/*`) is needed only when the role serves that kind. What cannot be told is every kind (fail closed).
 */

const KIND_OF_SEGMENT: Record<string, LoadBalancerKind> = { app: "application", net: "network" };

/** The kind of load balancer a listener or listener-rule ARN belongs to; undefined for any other shape. */
export function loadBalancerKindOf(arn: string): LoadBalancerKind | undefined {
  const parsed = parseArn(arn);
  if (parsed?.service !== "elasticloadbalancing") return undefined;
  const [type, segment] = parsed.resource.split("/");
  if (type !== "listener" && type !== "listener-rule") return undefined;
  return KIND_OF_SEGMENT[segment ?? ""];
}

/** What a load balancer's advancedConfiguration names its traffic routes by (DescribeServices). */
export interface ListenerRoutes {
  productionListenerRule?: string | undefined;
  testListenerRule?: string | undefined;
}

/**
 * The kinds the load balancers naming one role route traffic on, sorted; undefined when any of them names no route
 * or one whose kind cannot be told.
 */
export function loadBalancerKinds(configs: readonly ListenerRoutes[]): LoadBalancerKind[] | undefined {
  const kinds = new Set<LoadBalancerKind>();
  for (const c of configs) {
    const routes = [c.productionListenerRule, c.testListenerRule].filter((r): r is string => Boolean(r));
    if (!routes.length) return undefined;
    for (const route of routes) {
      const kind = loadBalancerKindOf(route);
      if (!kind) return undefined;
      kinds.add(kind);
    }
  }
  return kinds.size ? [...kinds].sort() : undefined;
}

/** The kind a policy resource is written for (its `/app/` or `/net/` segment); undefined when it is for any. */
export function resourceKind(resource: string | undefined): LoadBalancerKind | undefined {
  if (!resource) return undefined;
  const part = parseArn(resource)?.resource ?? "";
  return KIND_OF_SEGMENT[part.split("/")[1] ?? ""];
}

/**
 * The kinds of load balancer ECS is seen to use the role for (the services that name it for blue/green); undefined
 * when not known: no such service (a role named only with --role), or one whose kinds are not known.
 */
export function roleLoadBalancerKinds(
  role: Pick<RoleFacts, "referencedBy">,
): ReadonlySet<LoadBalancerKind> | undefined {
  const kinds = new Set<LoadBalancerKind>();
  let seen = false;
  for (const ref of role.referencedBy) {
    if (ref.kind !== "service" || ref.use !== "load-balancer") continue;
    if (!ref.loadBalancerKinds?.length) return undefined;
    seen = true;
    for (const k of ref.loadBalancerKinds) kinds.add(k);
  }
  return seen ? kinds : undefined;
}

/** Whether ECS needs a requirement granted on `resource` for this role: always, unless it is another kind's only. */
export function loadBalancerRequirementApplies(
  requirement: { resource?: string },
  role: Pick<RoleFacts, "referencedBy">,
): boolean {
  const kind = resourceKind(requirement.resource);
  if (!kind) return true;
  const kinds = roleLoadBalancerKinds(role);
  return !kinds || kinds.has(kind);
}
