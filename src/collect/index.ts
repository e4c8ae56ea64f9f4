import { parseArn, roleNameOf } from "../analysis/arn.ts";
import { callerTarget, PRINCIPAL_ARN_EXPECTED, parsePrincipalArn } from "../analysis/principal-arn.ts";
import { issuedBy, sessionNamesFor } from "../analysis/trail-links.ts";
import { InputError } from "../errors.ts";
import { factErrors, summariseFactErrors } from "../facts/errors.ts";
import type {
  Ec2Facts,
  EcsFacts,
  Facts,
  RoleFacts,
  RoleReference,
  Scope,
  TrailFacts,
} from "../facts/types.ts";
import { FACTS_SCHEMA_VERSION } from "../facts/types.ts";
import type { Logger } from "../log.ts";
import { type AwsClients, type AwsSettings, createClients } from "./clients.ts";
import { collectTrail, lookupEventsPacer, trailWindow } from "./cloudtrail.ts";
import { mapLimit } from "./concurrency.ts";
import { collectVolumes } from "./ec2.ts";
import { collectEcs } from "./ecs.ts";
import { planEcsScope } from "./ecs-scope.ts";
import { IamCollector } from "./iam.ts";
import { PrincipalCollector } from "./principal.ts";
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
  /**
   * With only --role in scope, read ECS in every cluster anyway, to learn who still uses the roles (`check
   * --before-role-change`). The roles in scope stay the named ones (ECS adds references to them, no new roles), and
   * EC2 volumes are not read: the question is the roles' use, not the account's leftovers.
   */
  ecsForRoles?: boolean;
  /** The deploying principal whose iam:PassRole is checked (an IAM role or user ARN, or an STS assumed-role ARN); default the caller. */
  principal?: string;
  /** Read the deploying principal's policies when a role is in scope (default true; off when the pass-role rule is off). */
  passRole?: boolean;
  /** Told each stage as it starts (the CLI draws it on a terminal). */
  onProgress?: (event: { stage: string; done?: number; total?: number }) => void;
  /**
   * Roles a Terraform plan touches (`check --plan`): collected beside the scope's, with ECS read in every cluster
   * (unless clusters, services or tasks are named) so that who uses them can be judged. With `only`, ECS adds no
   * other roles: the roles in scope are the plan's and the --role ones.
   */
  plannedRoles?: { names: string[]; only: boolean; policies?: string[] };
}

/** Keeps the events of roles in scope (and unreadable records, which may belong to any of them). */
function keepRolesInScope(trail: TrailFacts, roles: RoleFacts[]): TrailFacts {
  const sessions = Object.fromEntries(
    Object.entries(trail.sessions).map(([name, fact]) => [
      name,
      fact.ok
        ? {
            ok: true as const,
            value: fact.value.filter((e) => e.malformed || roles.some((r) => issuedBy(e.roleArn, r))),
          }
        : fact,
    ]),
  );
  return { ...trail, sessions };
}

/**
 * Role references keyed by account and name (IAM role names ignore case): a role named by ARN and by bare name is one
 * role, but roles of the same name in two accounts stay two (the other account's is then reported unknown).
 */
function roleKey(ref: string, callerAccount: string | undefined): string {
  const account = ref.startsWith("arn:") ? parseArn(ref)?.account : callerAccount;
  return `${account ?? ""}/${roleNameOf(ref).toLowerCase()}`;
}

function addReference(
  refs: Map<string, { ref: string; by: RoleReference[] }>,
  ref: string,
  by: RoleReference,
  callerAccount: string | undefined,
): void {
  const key = roleKey(ref, callerAccount);
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
  const ecsPlan = planEcsScope(options.plannedRoles ? { ...options.scope, roles: [] } : options.scope);
  const principalTarget = options.principal === undefined ? undefined : parsePrincipalArn(options.principal);
  if (options.principal !== undefined && !principalTarget)
    throw new InputError(`--principal: expected ${PRINCIPAL_ARN_EXPECTED}, got "${options.principal}"`);
  const clients = options.clients ?? createClients(options.aws);
  const log = options.log;
  const progress = options.onProgress;
  const started = performance.now();
  try {
    // The caller's account first: ECS builds cluster ARNs from it, and IAM can only answer for it.
    const caller = await collectCaller(clients.sts);
    const callerAccount = caller.ok ? caller.value.account : undefined;
    const refs = new Map<string, { ref: string; by: RoleReference[] }>();
    for (const role of options.scope.roles) addReference(refs, role, { kind: "flag" }, callerAccount);
    for (const role of options.plannedRoles?.names ?? [])
      addReference(refs, role, { kind: "flag" }, callerAccount);
    const planned = options.plannedRoles?.only ? new Set(refs.keys()) : undefined;
    // ECS first: the services and tasks in scope name the infrastructure roles the IAM stage must check.
    let ecs: EcsFacts | undefined;
    const forRolesOnly = ecsPlan.kind === "none" && options.ecsForRoles === true;
    if (ecsPlan.kind !== "none" || forRolesOnly) {
      progress?.({ stage: "Reading ECS clusters, services and tasks" });
      const collected = await collectEcs(clients.ecs, options.scope, {
        region: options.aws.region,
        ...(options.pageSize ? { pageSize: options.pageSize } : {}),
        concurrency: options.concurrency ?? 4,
        ...(caller.ok
          ? { account: caller.value.account, partition: parseArn(caller.value.arn)?.partition ?? "aws" }
          : {}),
        ...(forRolesOnly ? { everyClusterForRoles: true } : {}),
      });
      ecs = collected.facts;
      for (const { ref, by } of collected.roleRefs) {
        const key = roleKey(ref, callerAccount);
        // Read for the named (or planned) roles' use only: what else the clusters use is not in scope.
        if (forRolesOnly && !refs.has(key)) continue;
        if (planned && !planned.has(key)) continue;
        addReference(refs, ref, by, callerAccount);
      }
    }

    // Volumes need only the ECS scope, and CloudTrail only the session names: both are read while IAM is.
    const volumesPromise: Promise<Ec2Facts> | undefined =
      ecs && !forRolesOnly && options.volumes !== false
        ? collectVolumes(() => clients.ec2(), options.pageSize ? { pageSize: options.pageSize } : {})
        : undefined;
    const trailPromise =
      window && refs.size
        ? collectTrail(clients.cloudtrail, {
            sessionNames: [
              ...new Set([...refs.values()].flatMap(({ by }) => sessionNamesFor({ referencedBy: by }))),
            ],
            ...window,
            // Which role an event belongs to is settled once IAM has answered (below).
            inScope: () => true,
            pacer: lookupEventsPacer(),
            paceKey: `${caller.ok ? caller.value.account : "unknown-account"}/${options.aws.region}`,
          })
        : undefined;
    progress?.({ stage: "Reading IAM roles", done: 0, total: refs.size });
    let rolesRead = 0;
    const iam = new IamCollector(clients.iam, {
      ...(options.pageSize ? { pageSize: options.pageSize } : {}),
      concurrency: options.concurrency ?? 4,
      ...(caller.ok ? { callerAccount: caller.value.account } : {}),
    });
    const roles = await mapLimit([...refs.values()], options.concurrency ?? 4, async ({ ref, by }) => {
      const role = await iam.role(ref, by);
      progress?.({ stage: "Reading IAM roles", done: ++rolesRead, total: refs.size });
      return role;
    });
    // Policies the plan attaches, read like the roles' own, so the after-state is judged on their documents.
    await Promise.all((options.plannedRoles?.policies ?? []).map((arn) => iam.managedPolicy(arn)));
    // Only deploying matters for pass-role, and only for the roles in scope: none in scope, nothing to read.
    let principal: Facts["principal"];
    if (options.passRole !== false && roles.length) {
      progress?.({ stage: "Reading the deploying principal's IAM policies" });
      const principals = new PrincipalCollector(clients.iam, iam, {
        ...(options.pageSize ? { pageSize: options.pageSize } : {}),
        concurrency: options.concurrency ?? 4,
        ...(callerAccount ? { callerAccount } : {}),
      });
      if (options.principal !== undefined && principalTarget)
        principal = await principals.collect(options.principal, "flag", principalTarget);
      else
        principal = caller.ok
          ? await principals.collect(caller.value.arn, "caller", callerTarget(caller.value.arn))
          : caller;
    }
    const facts: Facts = {
      schemaVersion: FACTS_SCHEMA_VERSION,
      collectedAt: now.toISOString(),
      region: options.aws.region,
      caller,
      scope: options.scope,
      roles,
      managedPolicies: await iam.collectedPolicies(),
      ...(ecs ? { ecs } : {}),
      ...(principal ? { principal } : {}),
    };
    if (volumesPromise) {
      progress?.({ stage: "Describing ECS-managed volumes" });
      facts.ec2 = await volumesPromise;
    }
    if (trailPromise) {
      progress?.({ stage: "Reading CloudTrail" });
      facts.trail = keepRolesInScope(await trailPromise, roles);
    }
    // A deleted role answers NoSuchEntity everywhere: role-exists reports it, it is not a read failure.
    const errors = summariseFactErrors(factErrors(facts).filter((e) => e.code !== "NoSuchEntity"));
    for (const e of errors) log?.warn(e, "could not read: the checks that need it are unknown");
    log?.info(
      {
        roles: roles.length,
        ...(facts.ec2?.volumes.ok ? { volumes: facts.ec2.volumes.value.length } : {}),
        policies: Object.keys(facts.managedPolicies).length,
        ms: Math.round(performance.now() - started),
        errors: errors.length,
      },
      "collected facts",
    );
    return facts;
  } finally {
    if (!options.clients) clients.destroy();
  }
}
