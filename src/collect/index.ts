import { parseArn, roleNameOf } from "../analysis/arn.ts";
import { issuedBy, sessionNamesFor } from "../analysis/trail-links.ts";
import type { Ec2Facts, EcsFacts, Facts, RoleReference, Scope } from "../facts/types.ts";
import { FACTS_SCHEMA_VERSION } from "../facts/types.ts";
import type { Logger } from "../log.ts";
import { type AwsClients, type AwsSettings, createClients } from "./clients.ts";
import { collectTrail, lookupEventsPacer, trailWindow } from "./cloudtrail.ts";
import { mapLimit } from "./concurrency.ts";
import { collectVolumes } from "./ec2.ts";
import { collectEcs } from "./ecs.ts";
import { planEcsScope } from "./ecs-scope.ts";
import { IamCollector } from "./iam.ts";
import { collectCaller } from "./sts.ts";

export interface CollectOptions {
  scope: Scope;
  aws: AwsSettings;
  /** Injected in tests; otherwise built from `aws`. */
  clients?: AwsClients;
  now?: Date;
  /** Page size for list calls; tests use tiny pages to exercise pagination. */
  pageSize?: number;
  concurrency?: number;
  log?: Logger;
  /** Look the roles' sessions up in CloudTrail (default true; off when the cloudtrail-errors rule is off). */
  trail?: boolean;
  /** Describe the ECS-managed EBS volumes when ECS is in scope (default true; off when the leaked-volumes rule is off). */
  volumes?: boolean;
}

/** Role references keyed by role name: a role named by ARN and by name is one role. */
function addReference(
  refs: Map<string, { ref: string; by: RoleReference[] }>,
  ref: string,
  by: RoleReference,
): void {
  const key = roleNameOf(ref);
  const entry = refs.get(key);
  if (entry) {
    if (!ref.startsWith("arn:") || entry.ref.startsWith("arn:")) entry.by.push(by);
    else refs.set(key, { ref, by: [...entry.by, by] });
  } else refs.set(key, { ref, by: [by] });
}

/** Gathers every fact the rules need, for the scope, from AWS. Never throws for an AWS error: it becomes a fact. */
export async function collect(options: CollectOptions): Promise<Facts> {
  const now = options.now ?? new Date();
  // A bad --since is the user's input: refuse it before any AWS client exists.
  const window = options.trail === false ? undefined : trailWindow(options.scope.since, now);
  // A scope ECS cannot answer (a task id without its cluster) is a usage error before any AWS call.
  const ecsPlan = planEcsScope(options.scope);
  const clients = options.clients ?? createClients(options.aws);
  const log = options.log;
  const started = performance.now();
  try {
    const callerPromise = collectCaller(clients.sts);
    const refs = new Map<string, { ref: string; by: RoleReference[] }>();
    for (const role of options.scope.roles) addReference(refs, role, { kind: "flag" });
    // ECS first: the services and tasks in scope name the infrastructure roles the IAM stage must check.
    let ecs: EcsFacts | undefined;
    if (ecsPlan.kind !== "none") {
      const caller = await callerPromise;
      const collected = await collectEcs(clients.ecs, options.scope, {
        region: options.aws.region,
        ...(options.pageSize ? { pageSize: options.pageSize } : {}),
        concurrency: options.concurrency ?? 4,
        ...(caller.ok
          ? { account: caller.value.account, partition: parseArn(caller.value.arn)?.partition ?? "aws" }
          : {}),
      });
      ecs = collected.facts;
      for (const { ref, by } of collected.roleRefs) addReference(refs, ref, by);
    }

    // Volumes need only the ECS scope, not the roles: they are described while IAM is read.
    const volumesPromise: Promise<Ec2Facts> | undefined =
      ecs && options.volumes !== false
        ? collectVolumes(() => clients.ec2(), options.pageSize ? { pageSize: options.pageSize } : {})
        : undefined;
    const iam = new IamCollector(clients.iam, {
      ...(options.pageSize ? { pageSize: options.pageSize } : {}),
      concurrency: options.concurrency ?? 4,
    });
    const roles = await mapLimit([...refs.values()], options.concurrency ?? 4, ({ ref, by }) =>
      iam.role(ref, by),
    );
    const facts: Facts = {
      schemaVersion: FACTS_SCHEMA_VERSION,
      collectedAt: now.toISOString(),
      region: options.aws.region,
      caller: await callerPromise,
      scope: options.scope,
      roles,
      managedPolicies: await iam.collectedPolicies(),
      ...(ecs ? { ecs } : {}),
    };
    if (volumesPromise) facts.ec2 = await volumesPromise;
    if (window && roles.length) {
      // After the roles are known: their sessions decide what to look up, and their ARNs which events to keep.
      const account = facts.caller.ok ? facts.caller.value.account : "unknown-account";
      facts.trail = await collectTrail(clients.cloudtrail, {
        sessionNames: [...new Set(roles.flatMap(sessionNamesFor))],
        ...window,
        inScope: (roleArn) => roles.some((role) => issuedBy(roleArn, role)),
        pacer: lookupEventsPacer(),
        paceKey: `${account}/${options.aws.region}`,
      });
    }
    log?.info(
      {
        roles: roles.length,
        ...(facts.ec2?.volumes.ok ? { volumes: facts.ec2.volumes.value.length } : {}),
        policies: Object.keys(facts.managedPolicies).length,
        ms: Math.round(performance.now() - started),
      },
      "collected facts",
    );
    return facts;
  } finally {
    if (!options.clients) clients.destroy();
  }
}
