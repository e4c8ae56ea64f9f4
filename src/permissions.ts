/**
 * The IAM actions ecs-preflight calls, one line each: the source of docs/iam-policy.json and of the README's
 * "Permissions ecs-preflight needs" table (test/meta/iam-policy.test.ts keeps both in step, and
 * test/cli/least-privilege.test.ts proves every call the CLI makes is in here). Adding a call = adding a line.
 */

export interface Permission {
  /** The IAM action, e.g. "iam:GetRole". */
  action: string;
  /** What it is needed for: the README table's row (actions with the same `for` share a row). */
  for: string;
  /** When it is asked for, if not always in its row's situation. */
  note?: string;
}

const ACCOUNT = "the account";
const ROLE = "each role";
const ECS_SCOPE = "ECS scope (any of `--cluster`, `--service`, `--task`, or no scope flag)";
const CLOUDTRAIL = "CloudTrail evidence (`cloudtrail-errors`; not asked for when the rule is `off`)";
const VOLUMES = "leaked volumes (`leaked-volumes`; ECS scope only; not asked for when `off`)";
const SCPS =
  "Organizations policies (SCPs) on the roles (`volume-permissions`, `tls-permissions` and the four other uses' permission rules; not asked for when all six are `off`)";
const CHANGE_GATE =
  "the change gate's CloudFormation reads (`check --change-set`, `check --before-stack-delete`; never asked for otherwise)";
const PRINCIPAL =
  "the deploying principals, the services' creators or `--principal` (`pass-role`; not asked for when `off`, nor by `stop` unless its config sets a level): a role's reads are the role row's; a user's are these";

/** Every command's reads (check, snapshot, stop's own check). */
export const READ_PERMISSIONS: readonly Permission[] = [
  { action: "sts:GetCallerIdentity", for: ACCOUNT },
  { action: "iam:GetRole", for: ROLE },
  { action: "iam:ListAttachedRolePolicies", for: ROLE },
  { action: "iam:ListRolePolicies", for: ROLE },
  { action: "iam:GetRolePolicy", for: ROLE },
  { action: "iam:GetPolicy", for: ROLE },
  { action: "iam:GetPolicyVersion", for: ROLE },
  { action: "ecs:ListClusters", for: ECS_SCOPE, note: "with no scope flag" },
  { action: "ecs:ListServices", for: ECS_SCOPE },
  { action: "ecs:DescribeServices", for: ECS_SCOPE },
  { action: "ecs:ListTasks", for: ECS_SCOPE },
  { action: "ecs:DescribeTasks", for: ECS_SCOPE },
  {
    action: "ecs:DescribeCapacityProviders",
    for: ECS_SCOPE,
    note: "Managed Instances capacity providers name a role; not with `--task` alone",
  },
  {
    action: "ecs:DescribeExpressGatewayService",
    for: ECS_SCOPE,
    note: "for each Express service (resourceManagementType ECS)",
  },
  { action: "cloudtrail:LookupEvents", for: CLOUDTRAIL },
  { action: "ec2:DescribeVolumes", for: VOLUMES },
  {
    action: "organizations:DescribeOrganization",
    for: SCPS,
    note: "once: whether the account is in an organization",
  },
  {
    action: "iam:SimulatePrincipalPolicy",
    for: SCPS,
    note: "for each role and use, when the account is an organization's member (or membership could not be read)",
  },
  { action: "iam:GetUser", for: PRINCIPAL },
  { action: "iam:ListUserPolicies", for: PRINCIPAL },
  { action: "iam:GetUserPolicy", for: PRINCIPAL },
  { action: "iam:ListAttachedUserPolicies", for: PRINCIPAL },
  { action: "iam:ListGroupsForUser", for: PRINCIPAL },
  { action: "iam:ListGroupPolicies", for: PRINCIPAL },
  { action: "iam:GetGroupPolicy", for: PRINCIPAL },
  { action: "iam:ListAttachedGroupPolicies", for: PRINCIPAL },
  {
    action: "iam:GetAccountAuthorizationDetails",
    for: PRINCIPAL,
    note: "only in place of a role or user read that was denied",
  },
];

/**
 * What the change gate's live forms add: CloudFormation reads, in a statement of their own so that a role that only
 * audits (deploy/org-audit.yaml) need not hold them.
 */
export const CHANGE_GATE_PERMISSIONS: readonly Permission[] = [
  {
    action: "cloudformation:DescribeChangeSet",
    for: CHANGE_GATE,
    note: "`--change-set`, nested change sets too",
  },
  {
    action: "cloudformation:DescribeStacks",
    for: CHANGE_GATE,
    note: "`--before-stack-delete`, and a change set that removes a nested stack",
  },
  { action: "cloudformation:ListStackResources", for: CHANGE_GATE },
  { action: "cloudformation:GetTemplate", for: CHANGE_GATE },
];

/** What `stop` adds: its one write, made only after a passing check. */
export const STOP_PERMISSIONS: readonly Permission[] = [
  {
    action: "ecs:StopTask",
    for: "`stop` only: its one write, made after a passing check",
    note: "plus the reads above for its check",
  },
];

/** The statement ids in docs/iam-policy.json: a reader (or an SCP review) can tell the write apart at a glance. */
export const READ_SID = "EcsPreflightReadOnly";
export const STOP_SID = "EcsPreflightStopTask";
export const CHANGE_GATE_SID = "EcsPreflightChangeGateCloudFormation";

/** The identity policy document: read-only for every command, the change gate's CloudFormation reads, and `stop`'s write. */
export function iamPolicyDocument() {
  const statement = (Sid: string, permissions: readonly Permission[]) => ({
    Sid,
    Effect: "Allow",
    Action: permissions.map((p) => p.action),
    // Most of these reads take no resource-level scoping; StopTask can be narrowed to a cluster's tasks by the user.
    Resource: "*",
  });
  return {
    Version: "2012-10-17",
    Statement: [
      statement(READ_SID, READ_PERMISSIONS),
      statement(CHANGE_GATE_SID, CHANGE_GATE_PERMISSIONS),
      statement(STOP_SID, STOP_PERMISSIONS),
    ],
  };
}
