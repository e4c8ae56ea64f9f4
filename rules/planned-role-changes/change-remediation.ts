import type { ChangeSource, PlannedChange } from "../../src/facts/types.ts";

/**
 * planned-role-changes' fix, in the words of the tool that makes the change: the services first, `ecs-preflight
 * wait --role`, then the role. Terraform does it with two applies, CloudFormation with two change sets, and a stack's
 * deletion either keeps the role (DeletionPolicy: Retain) or waits for its services to go first.
 */

/** What the source calls itself in a sentence ("plan", "change set", "stack deletion"). */
export function sourceNoun(source: ChangeSource): string {
  if (source.format === "terraform") return "plan";
  return source.kind === "change-set" ? "change set" : "stack deletion";
}

/** The file or stack the source is, for a finding about the source as a whole. */
export function sourceName(source: ChangeSource): string {
  if (source.format === "terraform") return source.file;
  return source.file ?? source.changeSetId ?? source.stackId ?? source.stack;
}

/** While the change runs, said for the tasks of a service it deletes. */
export function whileItRuns(source: ChangeSource): string {
  return source.format === "terraform" ? "while the apply runs" : "while CloudFormation runs it";
}

const opening = (role: string, how: string) =>
  `Safe order: delete the service, \`ecs-preflight wait --role ${role}\`, then delete or change the role. Change ${role} only once nothing uses it, ${how}:`;

function terraform(role: string, services: string[]): string {
  return [
    opening(role, "in two applies"),
    `1. Apply the service change first (delete or update the service${services.length ? `: terraform apply ${services.map((s) => `-target=${s}`).join(" ")}` : ""}), leaving the role as it is.`,
    `2. Wait until no task holds the role: ecs-preflight wait --role ${role}`,
    "3. Then apply the role change: terraform plan -out tfplan && terraform apply tfplan",
    "Or keep ECS's access in the same plan (an equivalent policy, the ecs.amazonaws.com trust).",
  ].join("\n");
}

function changeSet(role: string, services: string[]): string {
  return [
    opening(role, "in two change sets"),
    `1. Deploy the service change first, in a change set of its own (remove or update ${services.length ? services.join(", ") : "the service"}), leaving the role as it is; or keep the old role with DeletionPolicy: Retain (UpdateReplacePolicy: Retain for a replacement).`,
    `2. Wait until no task holds the role: ecs-preflight wait --role ${role}`,
    "3. Then create the role's change set, check it again, and execute it (cdk deploy --method=execute-change-set, or aws cloudformation execute-change-set).",
    "Or keep ECS's access in the same change set (an equivalent policy, the ecs.amazonaws.com trust).",
  ].join("\n");
}

function stackDeletion(role: string, stack: string, roleAt: string | undefined, services: string[]): string {
  return [
    `Safe order: delete the services, \`ecs-preflight wait --role ${role}\`, then delete the stack. Either way works:`,
    `1. Keep the role: set DeletionPolicy: Retain on ${roleAt ?? "the role"} (AWS::IAM::Role), update the stack, then delete it; delete ${role} itself once \`ecs-preflight wait --role ${role}\` says nothing uses it.`,
    `2. Or delete the services first (${services.length ? services.join(", ") : "the services that use the role"}: remove them from the template and update the stack, or aws ecs delete-service --cluster CLUSTER --service SERVICE --force), wait until no task holds the role: ecs-preflight wait --role ${role}, then delete the stack: aws cloudformation delete-stack --stack-name ${stack}`,
  ].join("\n");
}

/** The fix for a role still in use that the change would take away: `services` are the change's own deleted ones. */
export function safeOrder(
  source: ChangeSource,
  role: string,
  changes: readonly PlannedChange[],
  services: string[],
): string {
  if (source.format === "terraform") return terraform(role, services);
  if (source.kind === "change-set") return changeSet(role, services);
  const roleAt = changes.find((c) => c.kind === "delete-role")?.address;
  return stackDeletion(role, source.stack, roleAt, services);
}
