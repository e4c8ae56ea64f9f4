import type { RemediationSnippets } from "../../src/engine/rule.ts";

/** tasks-deprovisioning: nothing about the task to configure; it moves on once its role is fixed. */
export const WATCH_STUCK_TASK: RemediationSnippets = {
  awsCli: [
    "# after fixing the cause the finding names, ECS retries; watch the task reach STOPPED:",
    "aws ecs describe-tasks --cluster CLUSTER --tasks TASK --query 'tasks[].[lastStatus,attachments]'",
  ].join("\n"),
  operational:
    "The task itself has nothing to configure: fix the cause the finding names with the snippets of role-exists, " +
    "trust-policy or volume-permissions, and ECS moves the task on to STOPPED and deletes its volume.",
};
