import { parseArn } from "../arn/arn.ts";
import type { AwsSettings } from "../collect/clients.ts";
import type { RoleWaitOutcome, RoleWaitRead } from "../collect/role-wait.ts";
import type { FactError } from "../facts/types.ts";

/**
 * `wait`: follow ECS until no task holds a role. A role given by name is the caller's account's (one STS call, which
 * needs no permission); the CLI draws each read and says the outcome.
 */

export interface RoleWaitRequest {
  aws: AwsSettings;
  /** A role name or an IAM role ARN. */
  role: string;
  /** Clusters to watch; empty: every cluster. */
  clusters: string[];
  timeoutMs: number;
  pollMs: number;
  onRead?: (read: RoleWaitRead) => void;
}

/** The wait's outcome, or the caller's account that could not be learned for a role given by name. */
export type RoleWaitResult = RoleWaitOutcome | { kind: "caller-unread"; error: FactError };

export async function waitUntilRoleIsFree(request: RoleWaitRequest): Promise<RoleWaitResult> {
  const { createClients } = await import("../collect/clients.ts");
  const { collectCaller } = await import("../collect/sts.ts");
  const { waitForRole } = await import("../collect/role-wait.ts");
  const clients = createClients(request.aws);
  try {
    // A role ARN names its account; a role name is the caller's.
    let account = parseArn(request.role)?.account;
    let partition = parseArn(request.role)?.partition;
    if (!account) {
      const caller = await collectCaller(clients.sts);
      if (!caller.ok) return { kind: "caller-unread", error: caller.error };
      account = caller.value.account;
      partition = parseArn(caller.value.arn)?.partition;
    }
    return await waitForRole(clients.ecs, {
      role: request.role,
      clusters: request.clusters,
      timeoutMs: request.timeoutMs,
      pollMs: request.pollMs,
      region: request.aws.region,
      account,
      ...(partition ? { partition } : {}),
      ...(request.onRead ? { onRead: request.onRead } : {}),
    });
  } finally {
    clients.destroy();
  }
}
