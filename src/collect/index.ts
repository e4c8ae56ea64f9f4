import type { Facts, RoleReference, Scope } from "../facts/types.ts";
import { FACTS_SCHEMA_VERSION } from "../facts/types.ts";
import type { Logger } from "../log.ts";
import { roleNameOf } from "../analysis/arn.ts";
import { type AwsClients, type AwsSettings, createClients } from "./clients.ts";
import { mapLimit } from "./concurrency.ts";
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
}

/** Role references keyed by role name: a role named by ARN and by name is one role. */
function addReference(refs: Map<string, { ref: string; by: RoleReference[] }>, ref: string, by: RoleReference): void {
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
  const clients = options.clients ?? createClients(options.aws);
  const log = options.log;
  const started = performance.now();
  try {
    const callerPromise = collectCaller(clients.sts);
    const refs = new Map<string, { ref: string; by: RoleReference[] }>();
    for (const role of options.scope.roles) addReference(refs, role, { kind: "flag" });

    const iam = new IamCollector(clients.iam, {
      ...(options.pageSize ? { pageSize: options.pageSize } : {}),
      concurrency: options.concurrency ?? 4,
    });
    const roles = await mapLimit([...refs.values()], options.concurrency ?? 4, ({ ref, by }) => iam.role(ref, by));
    const facts: Facts = {
      schemaVersion: FACTS_SCHEMA_VERSION,
      collectedAt: now.toISOString(),
      region: options.aws.region,
      caller: await callerPromise,
      scope: options.scope,
      roles,
      managedPolicies: await iam.collectedPolicies(),
    };
    log?.info({ roles: roles.length, policies: Object.keys(facts.managedPolicies).length, ms: Math.round(performance.now() - started) }, "collected facts");
    return facts;
  } finally {
    if (!options.clients) clients.destroy();
  }
}
