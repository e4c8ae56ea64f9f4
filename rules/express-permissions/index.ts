import { usePermissionsRule } from "../use-permissions-rule.ts";
import { messages } from "./messages.ts";
import { ATTACH_EXPRESS_POLICY } from "./snippets.ts";

export default usePermissionsRule({
  id: "express-permissions",
  use: "express",
  title: "Express Mode role is trusted by ECS and holds the Express Gateway services policy's actions",
  headline:
    "the load balancers and scaling of the Express services that use {roles} cannot be changed or deleted",
  whatEcsDoes:
    "An Express Mode service names an infrastructure role (infrastructureRoleArn, DescribeExpressGatewayService): ECS " +
    "assumes it to create, change and delete the service's load balancer, listeners, rules, target groups, security " +
    "groups, certificate, scalable target, scaling policies, alarms and log group. A role ECS cannot assume, or one " +
    "missing any of those actions, leaves them unchangeable, and deleting the service leaks them. ECS's requests are " +
    "modelled as it makes them: in the role's account and Region, everything it creates tagged AmazonECSManaged=true " +
    "(resource tags on existing ones, request tags on the calls that create them, none on the others), elasticloadbalancing:CreateAction and " +
    "ec2:CreateAction the call that creates the tagged resource, application-autoscaling:service-namespace ecs, and " +
    "the two service-linked roles (Application Auto Scaling for ECS, Elastic Load Balancing) for " +
    "iam:CreateServiceLinkedRole; the VPC and subnets are the customer's, their tags unknown.",
  messages,
  snippets: ATTACH_EXPRESS_POLICY,
});
