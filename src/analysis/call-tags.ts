/**
 * Which of ECS's calls carry tags of their own (aws:RequestTag/*, aws:TagKeys): an explicit statement per action of
 * the four managed policies whose requests are modelled (Managed Instances, Express Mode, VPC Lattice, blue/green
 * load balancers), from the Service Authorization Reference (the action's condition keys) and the API's request
 * shape (a Tags / TagSpecifications member). A call that carries none has its request-tag keys certainly absent, so
 * a customer Allow conditioned on aws:RequestTag does not allow it, exactly as IAM evaluates it. An action the table
 * does not know makes the policy unusable (requirementsFromPolicy throws): a new version's new action is modelled
 * before it is trusted, never guessed from its name.
 */

/** Calls that carry the tags ECS gives what it creates (or tags): the request's tags are ECS's. */
const TAGGED = [
  // EC2: TagSpecifications on the creating call; CreateTags is the tagging call itself.
  "ec2:CreateLaunchTemplate",
  "ec2:CreateFleet",
  "ec2:RunInstances",
  "ec2:CreateTags",
  "ec2:CreateSecurityGroup",
  // TagSpecifications for the security-group-rule the call creates (only when ECS tags it: see alsoUntaggedOn).
  "ec2:AuthorizeSecurityGroupEgress",
  "ec2:AuthorizeSecurityGroupIngress",
  // Elastic Load Balancing: Tags on the creating calls; AddTags is the tagging call.
  "elasticloadbalancing:CreateListener",
  "elasticloadbalancing:CreateLoadBalancer",
  "elasticloadbalancing:CreateRule",
  "elasticloadbalancing:CreateTargetGroup",
  "elasticloadbalancing:AddTags",
  "acm:RequestCertificate",
  "acm:AddTagsToCertificate",
  // Tags only when the call creates the scalable target (see alsoUntaggedOn for the updates).
  "application-autoscaling:RegisterScalableTarget",
  "application-autoscaling:TagResource",
  "cloudwatch:PutMetricAlarm",
  "cloudwatch:TagResource",
  "logs:CreateLogGroup",
  "logs:TagResource",
];

/** Calls whose request has no tags member and whose actions list no aws:RequestTag / aws:TagKeys key. */
const UNTAGGED = [
  // A new version of an existing template: CreateLaunchTemplateVersion's LaunchTemplateData.TagSpecifications tag
  // the instances it launches later, not this request.
  "ec2:CreateLaunchTemplateVersion",
  "ec2:ModifyLaunchTemplate",
  "ec2:DeleteSecurityGroup",
  "ec2:RevokeSecurityGroupEgress",
  "ec2:RevokeSecurityGroupIngress",
  "ec2:DescribeAvailabilityZones",
  "ec2:DescribeCapacityReservations",
  "ec2:DescribeInstanceTypeOfferings",
  "ec2:DescribeInstanceTypes",
  "ec2:DescribeInstances",
  "ec2:DescribeLaunchTemplates",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeRouteTables",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeSubnets",
  "ec2:DescribeVpcs",
  // iam:CreateServiceLinkedRole takes AWSServiceName, Description and CustomSuffix: no tags (its only key is
  // iam:AWSServiceName). iam:PassRole is no call of its own: it is authorised inside the call that passes the role.
  "iam:CreateServiceLinkedRole",
  "iam:PassRole",
  "resource-groups:ListGroupResources",
  "cloudformation:DescribeStacks",
  "cloudformation:ListStackResources",
  "tag:GetResources",
  "elasticloadbalancing:AddListenerCertificates",
  "elasticloadbalancing:RemoveListenerCertificates",
  "elasticloadbalancing:ModifyListener",
  "elasticloadbalancing:ModifyRule",
  "elasticloadbalancing:RegisterTargets",
  "elasticloadbalancing:DeregisterTargets",
  "elasticloadbalancing:DeleteListener",
  "elasticloadbalancing:DeleteLoadBalancer",
  "elasticloadbalancing:DeleteRule",
  "elasticloadbalancing:DeleteTargetGroup",
  "elasticloadbalancing:DescribeListeners",
  "elasticloadbalancing:DescribeLoadBalancers",
  "elasticloadbalancing:DescribeRules",
  "elasticloadbalancing:DescribeTargetGroups",
  "elasticloadbalancing:DescribeTargetHealth",
  "acm:DeleteCertificate",
  "acm:DescribeCertificate",
  "application-autoscaling:DeregisterScalableTarget",
  // PutScalingPolicy has no Tags member: a scaling policy cannot be tagged.
  "application-autoscaling:PutScalingPolicy",
  "application-autoscaling:DeleteScalingPolicy",
  "application-autoscaling:DescribeScalableTargets",
  "application-autoscaling:DescribeScalingActivities",
  "application-autoscaling:DescribeScalingPolicies",
  "cloudwatch:DeleteAlarms",
  "cloudwatch:DescribeAlarms",
  "logs:DescribeLogGroups",
  "vpc-lattice:RegisterTargets",
  "vpc-lattice:DeregisterTargets",
  "vpc-lattice:GetTargetGroup",
  "vpc-lattice:ListTargets",
];

const CARRIES = new Map<string, boolean>([
  ...TAGGED.map((a): [string, boolean] => [a.toLowerCase(), true]),
  ...UNTAGGED.map((a): [string, boolean] => [a.toLowerCase(), false]),
]);

/**
 * EC2 authorises a creating call once per resource it names, and its request tags reach only the resources the call
 * creates and tags (the subnet, security group, AMI or launch template a RunInstances names has none: the reason
 * customer policies and the managed policy itself grant those in statements of their own, without a request-tag
 * condition). Per creating EC2 call, the resource types its tags reach; a type not listed is judged untagged.
 */
const EC2_TAGS_REACH: Record<string, readonly string[]> = {
  "ec2:createlaunchtemplate": ["launch-template"],
  "ec2:createfleet": ["fleet", "instance", "volume", "network-interface"],
  "ec2:runinstances": ["instance", "volume", "network-interface"],
  // The policy grants CreateSecurityGroup on security-group-rule too, only with the request tag.
  "ec2:createsecuritygroup": ["security-group", "security-group-rule"],
  // The tags are the new rule's: the group it is added to is named, not tagged, by the call.
  "ec2:authorizesecuritygroupegress": ["security-group-rule"],
  "ec2:authorizesecuritygroupingress": ["security-group-rule"],
};

/**
 * Whether the request for `action` on a resource of `type` carries the call's tags: a tagged call on what it
 * tags (every resource, for a tagged call of another service or ec2:CreateTags).
 */
export function tagsReach(action: string, type: string): boolean {
  if (carriesTags(action) !== true) return false;
  const reach = EC2_TAGS_REACH[action.toLowerCase()];
  return reach ? reach.includes(type) : true;
}

/** Whether the call carries tags of its own; undefined for an action the table does not know. */
export function carriesTags(action: string): boolean | undefined {
  return CARRIES.get(action.toLowerCase());
}

/** The actions the table states, for tests: [tagged, untagged]. */
export const CALL_TAGS = { tagged: TAGGED, untagged: UNTAGGED } as const;
