import { usePermissionsRule } from "../use-permissions-rule.ts";
import { messages } from "./messages.ts";
import { ATTACH_VPC_LATTICE_POLICY } from "./snippets.ts";

export default usePermissionsRule({
  id: "vpc-lattice-permissions",
  use: "vpc-lattice",
  title: "VPC Lattice role is trusted by ECS and holds the VPC Lattice policy's actions",
  headline:
    "the tasks of the services that use {roles} for VPC Lattice are not registered with their target groups",
  whatEcsDoes:
    "A service deployment's VPC Lattice configuration names an infrastructure role (vpcLatticeConfigurations[].roleArn): " +
    "ECS assumes it to register the service's tasks with the configuration's VPC Lattice target groups and deregister " +
    "them as they stop. A role ECS cannot assume, or one missing any of those actions, leaves targets unregistered " +
    "(no traffic reaches new tasks) or stale. ECS's requests are modelled as it makes them: on target groups in the " +
    "role's account and Region, which are the customer's, so their tags are unknown (a permission scoped by a tag " +
    "on them is unknown, not a pass).",
  messages,
  snippets: ATTACH_VPC_LATTICE_POLICY,
});
