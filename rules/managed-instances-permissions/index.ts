import { usePermissionsRule } from "../use-permissions-rule.ts";
import { messages } from "./messages.ts";
import { ATTACH_MANAGED_INSTANCES_POLICY } from "./snippets.ts";

export default usePermissionsRule({
  id: "managed-instances-permissions",
  use: "managed-instances",
  title: "Managed Instances role is trusted by ECS and holds the Managed Instances policy's actions",
  headline: "the Managed Instances capacity providers that use {roles} cannot launch instances",
  whatEcsDoes:
    "A Managed Instances capacity provider names an infrastructure role (managedInstancesProvider.infrastructureRoleArn): " +
    "ECS assumes it to create the provider's launch templates and launch, tag and terminate EC2 instances through " +
    "CreateFleet or RunInstances, passing the instance role to EC2. A role ECS cannot assume, or one missing any of " +
    "those actions, leaves the capacity provider unable to launch instances, so new tasks stay PENDING. ECS's " +
    "requests are modelled as it makes them: in the role's account and Region, the fleets, launch templates, " +
    "instances, volumes and network interfaces it creates tagged AmazonECSManaged=true (resource tags on existing " +
    "ones, request tags on the calls that create them, none on the others), ec2:CreateAction the call that creates the tagged resource, " +
    "ec2:ManagedResourceOperator ecs.amazonaws.com on the launch templates it operates, iam:PassedToService " +
    "ec2.amazonaws.com for the instance role, and the Spot service-linked role for iam:CreateServiceLinkedRole.",
  messages,
  snippets: ATTACH_MANAGED_INSTANCES_POLICY,
});
