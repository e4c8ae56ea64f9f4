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
    "are unknown (a permission scoped by a tag on them is unknown, not a pass).",
  messages,
  snippets: ATTACH_LOAD_BALANCER_POLICY,
});
