import { usePermissionsRule } from "../use-permissions-rule.ts";
import { messages } from "./messages.ts";
import { ATTACH_LOAD_BALANCER_POLICY } from "./snippets.ts";

export default usePermissionsRule({
  id: "load-balancer-permissions",
  use: "load-balancer",
  title: "Blue/green load-balancer role is trusted by ECS and holds the load balancers policy's actions",
  headline: "blue/green deployments of the services that use {roles} cannot shift traffic or roll back",
  whatEcsDoes:
    "A service's load balancer names an infrastructure role for blue/green, linear and canary deployments " +
    "(loadBalancers[].advancedConfiguration.roleArn): ECS assumes it to move targets between the blue and green " +
    "target groups and rewrite the listeners and rules that shift traffic. A role ECS cannot assume, or one missing " +
    "any of those actions, leaves deployments unable to shift traffic or roll back. ECS's requests are modelled as it " +
    "makes them: on the customer's listeners, rules and target groups in the role's account and Region, whose tags " +
    "are unknown (a permission scoped by a tag on them is unknown, not a pass). ECS rewrites only the route the " +
    "service's advancedConfiguration names: an Application Load Balancer's listener rules " +
    "(productionListenerRule and testListenerRule are `…:listener-rule/app/…`), a Network Load Balancer's listeners " +
    "(`…:listener/net/…`). So a requirement the policy grants on one kind's resources only (ModifyListener on " +
    "`listener/app/*` or on `listener/net/*`, ModifyRule on `listener-rule/app/*`) is required only when some " +
    "service naming the role for blue/green routes through that kind: an ALB-only role needs no NLB listener, and an " +
    "NLB-only role no ModifyRule. Where the kind cannot be told (a load balancer naming no route or one of another " +
    "shape, or facts gathered before the routes were read), every kind's requirements are required. The SCP " +
    "simulation and the change gate ask about the same set.",
  messages,
  snippets: ATTACH_LOAD_BALANCER_POLICY,
});
