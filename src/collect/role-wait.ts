import type { ECSClient } from "@aws-sdk/client-ecs";
import pRetry from "p-retry";
import { infrastructureUse } from "../analysis/infrastructure-uses.ts";
import { type RoleUsage, roleUsage, type ServiceUse, type TaskUse } from "../analysis/role-usage.ts";
import type { InfrastructureUseId } from "../facts/types.ts";
import { FACTS_SCHEMA_VERSION, type Facts } from "../facts/types.ts";
import { collectEcs } from "./ecs.ts";

/**
 * `ecs-preflight wait`: reads ECS (through the ECS collector, nothing else) until nothing needs the role: no task
 * references it in any state but STOPPED, and no use that leaves no trace on a task names it (a capacity provider
 * or Express service that is not INACTIVE, an ACTIVE or DRAINING service's VPC Lattice or blue/green configuration).
 * An ACTIVE service that names the role for EBS volumes or Service Connect TLS is reported, not waited for: its tasks
 * carry the EBS role themselves, and a service scaled to 0 would otherwise keep the wait going forever (deleting the
 * service first is the caller's step).
 */

export interface RoleWaitOptions {
  /** The role, a name or an ARN. */
  role: string;
  /** Clusters to watch; empty: every cluster (ListClusters on each read). */
  clusters: string[];
  timeoutMs: number;
  /** Delay between two reads (the SDK's TasksStopped waiter uses 6 s). */
  pollMs: number;
  region: string;
  /** The account the role and clusters are in (the role ARN's, or the caller's for a role name). */
  account: string;
  partition?: string;
  pageSize?: number;
  concurrency?: number;
  /** Told the result of every read (the CLI prints state changes). */
  onRead?: (read: RoleWaitRead) => void;
  now?: () => number;
}

/** A use that names the role and leaves no trace on a task: the wait goes on while it remains. */
export interface WaitDependent {
  kind: "capacity-provider" | "express-service" | "service";
  arn: string;
  clusterArn: string;
  name: string;
  status: string;
  use: InfrastructureUseId;
  /** What breaks if the role goes first (the uses table). */
  breaks: string;
}

export interface RoleWaitRead {
  poll: number;
  tasks: TaskUse[];
  services: ServiceUse[];
  /** What names the role besides tasks and must be gone first. */
  dependents: WaitDependent[];
  clusters: string[];
}

/** What a wait cannot do without: the cluster list, or a cluster's tasks. */
export interface Unread {
  resource: string;
  api: string;
  code: string;
  message: string;
}

export type RoleWaitOutcome = RoleWaitRead & { waitedMs: number } & (
    | { kind: "clear" }
    | { kind: "timed-out" }
    | { kind: "unread"; unread: Unread[] }
  );

class StillInUse extends Error {
  override readonly name = "StillInUse";
}

/**
 * Every gap blocks: services (their VPC Lattice and blue/green roles), capacity providers and Express services may
 * name the role as surely as tasks may hold it.
 */
function unreadOf(usage: RoleUsage): Unread[] {
  return usage.unread.map((u) => ({
    resource: u.resource,
    api: u.error.api,
    code: u.error.code,
    message: u.error.message,
  }));
}

/** The uses the wait must see gone, with what each breaks. */
function dependentsOf(usage: RoleUsage): WaitDependent[] {
  const dependent = (
    kind: WaitDependent["kind"],
    u: Omit<WaitDependent, "kind" | "breaks">,
  ): WaitDependent => ({
    kind,
    arn: u.arn,
    clusterArn: u.clusterArn,
    name: u.name,
    status: u.status,
    use: u.use,
    breaks: infrastructureUse(u.use).breaks,
  });
  return [
    ...usage.capacityProviders.map((c) => dependent("capacity-provider", c)),
    ...usage.expressServices.map((e) => dependent("express-service", e)),
    ...usage.services
      .filter((s) => s.use === "vpc-lattice" || s.use === "load-balancer")
      .map((s) => dependent("service", s)),
  ];
}

export async function waitForRole(ecs: ECSClient, options: RoleWaitOptions): Promise<RoleWaitOutcome> {
  const now = options.now ?? Date.now;
  const started = now();
  const { account } = options;
  let polls = 0;
  const read = async (): Promise<{ usage: RoleUsage; read: RoleWaitRead }> => {
    const scope = { clusters: options.clusters, services: [], tasks: [], roles: [] };
    const { facts: ecsFacts } = await collectEcs(ecs, scope, {
      region: options.region,
      ...(options.pageSize ? { pageSize: options.pageSize } : {}),
      concurrency: options.concurrency ?? 4,
      account,
      partition: options.partition ?? "aws",
    });
    const facts: Facts = {
      schemaVersion: FACTS_SCHEMA_VERSION,
      collectedAt: new Date(now()).toISOString(),
      region: options.region,
      // Only the account matters here: a role given by name is this account's.
      caller: { ok: true, value: { account, arn: "", userId: "" } },
      scope: { ...scope, roles: [options.role] },
      roles: [],
      managedPolicies: {},
      ecs: ecsFacts,
    };
    const usage = roleUsage(facts, options.role);
    const clusters = ecsFacts.clusters.ok ? ecsFacts.clusters.value.map((c) => c.arn) : [];
    return {
      usage,
      read: {
        poll: ++polls,
        tasks: usage.tasks,
        services: usage.services,
        dependents: dependentsOf(usage),
        clusters,
      },
    };
  };
  /** One read: an outcome when the wait is over, else StillInUse (p-retry reads again after pollMs). */
  const poll = async (): Promise<RoleWaitOutcome> => {
    const { usage, read: result } = await read();
    options.onRead?.(result);
    const waitedMs = now() - started;
    // A gap in what was read ends the wait at once: the SDK already retried, and the role is never called free blind.
    const unread = unreadOf(usage);
    if (unread.length) return { ...result, waitedMs, kind: "unread", unread };
    if (!result.tasks.length && !result.dependents.length) return { ...result, waitedMs, kind: "clear" };
    // The last read is the last one that starts before the deadline.
    if (waitedMs + options.pollMs > options.timeoutMs) return { ...result, waitedMs, kind: "timed-out" };
    throw new StillInUse(
      `${result.tasks.length} task(s) and ${result.dependents.length} other use(s) still need the role`,
    );
  };
  return pRetry(poll, {
    retries: Number.POSITIVE_INFINITY,
    factor: 1,
    minTimeout: options.pollMs,
    maxTimeout: options.pollMs,
    randomize: false,
    // Only "still in use" is retried; anything else (a bug) surfaces at once.
    shouldRetry: ({ error }) => error instanceof StillInUse,
  });
}
