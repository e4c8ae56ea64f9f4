import { EBS_SESSION_NAME, issuedBy, sessionNamesFor } from "../analysis/trail-links.ts";
import { parseArn, roleKey } from "../arn/arn.ts";
import { PRINCIPAL_ARN_EXPECTED, parsePrincipalArn } from "../arn/principal-arn.ts";
import { InputError } from "../errors.ts";
import { factErrors, summariseFactErrors } from "../facts/errors.ts";
import type {
  DeployingPrincipal,
  Ec2Facts,
  EcsFacts,
  Facts,
  PrincipalOrigin,
  RoleFacts,
  RoleReference,
  Scope,
  TrailFacts,
} from "../facts/types.ts";
import { FACTS_SCHEMA_VERSION } from "../facts/types.ts";
import type { Logger } from "../log.ts";
import { type ApiPacing, iamPaceKey, processPacing } from "./api-pacing.ts";
import { type AwsClients, type AwsSettings, createClients, defaultPaceKey } from "./clients.ts";
import { lookupEventsPacer, processLookupEventsPacer, TrailReads, trailWindow } from "./cloudtrail.ts";
import { collectPrincipals, flaggedPrincipals, serviceCreators } from "./deployers.ts";
import { collectVolumes } from "./ec2.ts";
import { collectEcs, type EcsCollection, type EcsRoleRef } from "./ecs.ts";
import { ecsReadsFor } from "./ecs-reads.ts";
import { firstAnswer, noFirstAnswer } from "./first-answer.ts";
import { IamCollector } from "./iam.ts";
import { collectMembership, simulationNeeded } from "./organizations.ts";
import type { RequestPacer } from "./pacer.ts";
import { PrincipalCollector } from "./principal.ts";
import { simulateRole } from "./simulation.ts";
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
  /**
   * The deploying principals whose iam:PassRole is checked (IAM role or user ARNs, or STS assumed-role ARNs; the
   * --principal flags). They replace the default: the distinct `createdBy` of the services in scope that name a role.
   * The caller is judged only when named here.
   */
  principals?: string[];
  /** Read the deploying principals' policies when a role is in scope (default true; off when the pass-role rule is off). */
  passRole?: boolean;
  /**
   * Read organizations:DescribeOrganization and, when SCPs may apply, iam:SimulatePrincipalPolicy for each role's
   * uses (default true; off when no enabled rule needs it).
   */
  organizations?: boolean;
  /**
   * Client-side pacing under AWS's rate limits (api-pacing.ts). Default: the process's, for clients built here;
   * none for injected clients unless given.
   */
  pacing?: ApiPacing;
  /** The account-Region the pacing (and CloudTrail's pacer) counts this run's calls under (default: `aws.paceKey`, else the profile and Region). */
  paceKey?: string;
  /** CloudTrail LookupEvents' pacer (default: the process's, 2 a second per key; a fresh one for injected clients). */
  trailPacer?: RequestPacer;
  /**
   * Called once ECS's first request is on its way (at once when ECS is not read): the moment the caller may load what
   * it needs next (the check pipeline: the rules) while that request is in flight, without holding it back.
   */
  afterFirstRequest?: () => void;
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

/**
 * What Organizations says of the account and, when SCPs may apply, AWS's simulation of each role's uses (set on the
 * roles); the membership fact is returned.
 */
async function simulateRoles(
  clients: AwsClients,
  roles: RoleFacts[],
  membershipRead: Promise<NonNullable<Facts["organization"]>>,
  options: CollectOptions,
): Promise<NonNullable<Facts["organization"]>> {
  const membership = await membershipRead;
  if (!simulationNeeded(membership)) return membership;
  options.onProgress?.({ stage: "Simulating the roles' permissions under the organization's SCPs" });
  const organizationId = membership.ok ? membership.value.organizationId : undefined;
  await Promise.all(
    roles.map(async (role) => {
      const simulations = await simulateRole(
        clients.iam,
        role,
        options.aws.region,
        options.pageSize,
        organizationId,
      );
      if (simulations) role.simulations = simulations;
    }),
  );
  return membership;
}

/**
 * Gathers every fact the rules need, for the scope, from AWS. Never throws for an AWS error: it becomes a fact.
 *
 * Every read that needs nothing earlier starts at once: STS, IAM for the --role roles, EC2 DescribeVolumes and
 * CloudTrail's EBS session beside ECS discovery. IAM for a role ECS names starts the moment a described service or
 * task names it, CloudTrail's session of another use (TLS, Managed Instances, VPC Lattice, blue/green) the moment a
 * resource names a role for it. The facts are assembled in a
 * fixed order once everything has answered, whichever answered first.
 */
export async function collect(options: CollectOptions): Promise<Facts> {
  const now = options.now ?? new Date();
  // A bad --since is the user's input: refuse it before any AWS client exists.
  const window = options.trail === false ? undefined : trailWindow(options.scope.since, now);
  // A scope ECS cannot answer (a task id without its cluster) is a usage error before any AWS call.
  const ecsPlan = ecsReadsFor(options.plannedRoles ? { ...options.scope, roles: [] } : options.scope);
  const flaggedArns = options.principals ?? [];
  const badPrincipal = flaggedArns.find((arn) => !parsePrincipalArn(arn));
  if (badPrincipal !== undefined)
    throw new InputError(`--principal: expected ${PRINCIPAL_ARN_EXPECTED}, got "${badPrincipal}"`);
  const clients = options.clients ?? createClients(options.aws);
  const log = options.log;
  const progress = options.onProgress;
  const started = performance.now();
  const pageSize = options.pageSize ? { pageSize: options.pageSize } : {};
  const paceKey = options.paceKey ?? defaultPaceKey(options.aws);
  // Clients built here are paced with the process (or the settings' own pacers); injected ones only when given.
  const pacing = options.pacing ?? options.aws.pacers?.api ?? (options.clients ? undefined : processPacing());
  const signal = options.aws.signal;
  if (pacing) {
    pacing.install(clients.ecs, "ecs", paceKey, signal);
    pacing.install(clients.iam, "iam", iamPaceKey(paceKey), signal);
  }
  // Organizations, CloudTrail and EC2's volumes are off ECS's chain: sent once ECS has answered its first request,
  // their SDK chunks loaded while it is in flight (./first-answer.ts).
  const forRolesOnly = ecsPlan.kind === "none" && options.ecsForRoles === true;
  const readEcs = ecsPlan.kind !== "none" || forRolesOnly;
  const offChain = readEcs ? firstAnswer(clients.ecs) : noFirstAnswer();
  const { afterFirstRequest } = options;
  if (afterFirstRequest) void offChain.sent.then(afterFirstRequest);
  try {
    // The caller's account: ECS builds cluster ARNs from it, and IAM can only answer for it. Nothing waits for it
    // but what needs the account itself (a role named by ARN, the cluster ARN of a cluster named by name).
    const callerRead = collectCaller(clients.sts);
    const callerAccount = callerRead.then((c) => (c.ok ? c.value.account : undefined));
    // Whether SCPs can apply needs nothing else: asked beside everything (once ECS has answered, above).
    const membershipRead =
      options.organizations === false
        ? undefined
        : collectMembership(() => offChain.settled.then(() => clients.organizations()), callerAccount);
    if (membershipRead) void offChain.sent.then(() => clients.organizations()).catch(() => undefined);

    const iam = new IamCollector(clients.iam, {
      ...pageSize,
      concurrency: options.concurrency ?? 4,
      callerAccount,
    });
    const flagged = [...options.scope.roles, ...(options.plannedRoles?.names ?? [])];
    for (const role of flagged) void iam.prefetch(role);
    // Policies the plan attaches, read like the roles' own, so the after-state is judged on their documents.
    const plannedPolicies = Promise.all(
      (options.plannedRoles?.policies ?? []).map((arn) => iam.managedPolicy(arn)),
    );
    // ECS adds roles of its own unless the roles in scope are only the named (or planned) ones.
    const ecsAddsRoles = !forRolesOnly && !options.plannedRoles?.only;

    // Only deploying matters for pass-role, and only with a role in scope. --principal ARNs are read from the moment a
    // role is known; the services' creators once ECS has answered (below).
    const readPrincipals = (wanted: () => { ref: string; origin: PrincipalOrigin }[]) =>
      callerRead.then(async (caller) => {
        progress?.({ stage: "Reading the deploying principals' IAM policies" });
        const collector = new PrincipalCollector(clients.iam, iam, {
          ...pageSize,
          concurrency: options.concurrency ?? 4,
          ...(caller.ok ? { callerAccount: caller.value.account } : {}),
        });
        return collectPrincipals(collector, wanted(), options.concurrency ?? 4);
      });
    const prefetchDeployer = (createdBy: string) => {
      const target = parsePrincipalArn(createdBy);
      if (target?.kind === "role")
        void iam.prefetch(`arn:${target.partition}:iam::${target.account}:role/${target.name}`);
    };
    let principalsRead: Promise<DeployingPrincipal[]> | undefined;
    const readPrincipal = () => {
      if (options.passRole === false || !flaggedArns.length) return;
      principalsRead ??= readPrincipals(() => flaggedPrincipals(flaggedArns));
    };
    if (flagged.length) readPrincipal();

    // CloudTrail's EBS session is needed by every role in scope; another use's session only by a role used so.
    const trail = window
      ? new TrailReads(clients.cloudtrail, {
          ...window,
          // Which role an event belongs to is settled once IAM has answered (below).
          inScope: () => true,
          pacer:
            options.trailPacer ??
            options.aws.pacers?.lookupEvents ??
            (options.clients ? lookupEventsPacer() : processLookupEventsPacer()),
          paceKey,
          after: offChain.settled,
        })
      : undefined;
    if (flagged.length || (readEcs && ecsAddsRoles)) trail?.start(EBS_SESSION_NAME);

    let ecsRead: Promise<EcsCollection> | undefined;
    if (readEcs) {
      progress?.({ stage: "Reading ECS clusters, services and tasks" });
      ecsRead = collectEcs(clients.ecs, options.scope, {
        region: options.aws.region,
        ...pageSize,
        concurrency: options.concurrency ?? 4,
        identity: callerRead.then((c) =>
          c.ok
            ? { account: c.value.account, partition: parseArn(c.value.arn)?.partition ?? "aws" }
            : undefined,
        ),
        ...(forRolesOnly ? { everyClusterForRoles: true } : {}),
        ...(ecsAddsRoles
          ? {
              onRoleRef: ({ ref, by, createdBy }: EcsRoleRef) => {
                void iam.prefetch(ref);
                readPrincipal();
                // The service's creator is who pass-role judges by default: its role is read now, through the same
                // memo, rather than after every task is described.
                if (createdBy && options.passRole !== false && !flaggedArns.length)
                  prefetchDeployer(createdBy);
                // Each use's documented sessions start the moment a resource names the role for it.
                for (const session of sessionNamesFor({ referencedBy: [by] })) trail?.start(session);
              },
            }
          : {}),
      }).finally(offChain.release);
    } else offChain.release();

    // Volumes need only the ECS scope: the EC2 client's chunk loads while ECS's first request is in flight.
    const readVolumes = readEcs && !forRolesOnly && options.volumes !== false;
    const volumesRead: Promise<Ec2Facts> | undefined = readVolumes
      ? collectVolumes(async () => {
          await offChain.settled;
          const ec2 = await clients.ec2();
          pacing?.install(ec2, "ec2", paceKey, signal);
          return ec2;
        }, pageSize)
      : undefined;
    if (readVolumes) void offChain.sent.then(() => clients.ec2()).catch(() => undefined);

    const caller = await callerRead;
    const account = caller.ok ? caller.value.account : undefined;
    const refs = new Map<string, { ref: string; by: RoleReference[] }>();
    for (const role of options.scope.roles) addReference(refs, role, { kind: "flag" }, account);
    for (const role of options.plannedRoles?.names ?? []) addReference(refs, role, { kind: "flag" }, account);
    const planned = options.plannedRoles?.only ? new Set(refs.keys()) : undefined;
    let ecs: EcsFacts | undefined;
    if (ecsRead) {
      const collected = await ecsRead;
      ecs = collected.facts;
      for (const { ref, by } of collected.roleRefs) {
        const key = roleKey(ref, account);
        // Read for the named (or planned) roles' use only: what else the clusters use is not in scope.
        if (forRolesOnly && !refs.has(key)) continue;
        if (planned && !planned.has(key)) continue;
        addReference(refs, ref, by, account);
      }
    }

    progress?.({ stage: "Reading IAM roles", done: 0, total: refs.size });
    let rolesRead = 0;
    const roles = await Promise.all(
      [...refs.values()].map(async ({ ref, by }) => {
        const role = await iam.role(ref, by);
        progress?.({ stage: "Reading IAM roles", done: ++rolesRead, total: refs.size });
        return role;
      }),
    );
    const facts: Facts = {
      schemaVersion: FACTS_SCHEMA_VERSION,
      collectedAt: now.toISOString(),
      region: options.aws.region,
      caller,
      scope: options.scope,
      roles,
      managedPolicies: {},
      ...(ecs ? { ecs } : {}),
    };
    if (roles.length) readPrincipal();
    if (roles.length && options.passRole !== false && !flaggedArns.length)
      principalsRead = readPrincipals(() => serviceCreators(ecs, new Set(refs.keys()), account));
    const simulated =
      membershipRead && roles.length ? simulateRoles(clients, roles, membershipRead, options) : undefined;
    const principals = await principalsRead;
    if (principals) facts.principals = principals;
    if (simulated) facts.organization = await simulated;
    // With no role to simulate, the membership read (asked at once, beside everything) is still awaited: nothing of
    // this run may go on calling AWS, or retrying, after its facts are handed back.
    else if (membershipRead) await membershipRead;
    await plannedPolicies;
    // Last: the roles', the plan's and the principal's managed policies are all read through the one memo.
    facts.managedPolicies = await iam.collectedPolicies();
    if (volumesRead) {
      progress?.({ stage: "Describing ECS-managed volumes" });
      facts.ec2 = await volumesRead;
    }
    if (trail && refs.size) {
      progress?.({ stage: "Reading CloudTrail" });
      const sessionNames = [
        ...new Set([...refs.values()].flatMap(({ by }) => sessionNamesFor({ referencedBy: by }))),
      ];
      facts.trail = keepRolesInScope(await trail.facts(sessionNames), roles);
    } else await trail?.settle();
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
    offChain.release();
    if (!options.clients) clients.destroy();
  }
}
