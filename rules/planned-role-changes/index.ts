import {
  INFRASTRUCTURE_USES,
  type InfrastructureUse,
  usesOf,
} from "../../src/analysis/infrastructure-uses.ts";
import {
  consequenceSentence,
  inUse,
  type RoleUsage,
  roleUsage,
  usageSentence,
  usesInUse,
} from "../../src/analysis/role-usage.ts";
import { parseArn, roleNameOf, shortName } from "../../src/arn/arn.ts";
import type { RuleFinding } from "../../src/engine/finding.ts";
import { defineRule } from "../../src/engine/rule.ts";
import {
  type Facts,
  PLACEHOLDER_POLICY_PREFIX,
  type PlanFacts,
  type PlannedChange,
  type PlannedRole,
  type RoleFacts,
  type RoleReference,
} from "../../src/facts/types.ts";
import { safeOrder, sourceName, sourceNoun, whileItRuns } from "./change-remediation.ts";
import { type EcsAccess, ecsAccess, type Verdict } from "./ecs-access.ts";
import { afterFacts } from "./planned-state.ts";
import { TWO_STEP_APPLY } from "./snippets.ts";

/** Change kinds that can take a volume action away, and the one that can take trust away. */
const PERMISSION_KINDS = new Set<PlannedChange["kind"]>([
  "attach",
  "detach",
  "put-inline",
  "delete-inline",
  "policy-document",
  "delete-policy",
  "boundary",
  "create-role",
]);

function describe(changes: PlannedChange[]): string {
  return changes.map((c) => `${c.address} ${c.summary}`).join("; ");
}

interface Judgement {
  harm: { what: string; changes: PlannedChange[] }[];
  undecided: { what: string; changes: PlannedChange[] }[];
}

const byKind = (planned: PlannedRole, ...kinds: PlannedChange["kind"][]) =>
  planned.changes.filter((c) => kinds.includes(c.kind));

/** Today's role, when the facts have it. */
const roleToday = (facts: Facts, planned: PlannedRole) =>
  facts.roles.find((r) => r.name.toLowerCase() === planned.name.toLowerCase());

/**
 * Every use the role serves, judged before and after: those it was seen in, and those ECS is seen to put it to
 * (a capacity provider, an Express service, a service's configuration), in table order.
 */
function usesJudged(facts: Facts, planned: PlannedRole): InfrastructureUse[] {
  const seen = new Set([
    ...usesOf(roleToday(facts, planned) ?? { referencedBy: [] }),
    ...(planned.after.state === "exists" ? usesOf(planned.after.role) : []),
    ...usesInUse(roleUsage(facts, planned.ref)),
  ]);
  return INFRASTRUCTURE_USES.filter((u) => seen.has(u));
}

/**
 * How ECS uses the role, before and after alike: today's references and the services the facts see naming it (a
 * role found only by --role, or one the change creates, is still judged for what those services need). The same
 * references on both sides, so a use's requirements that depend on them (blue/green's listener actions per load
 * balancer kind) are the same set today and after. A change that also creates or updates a service's load balancers
 * may put the role on a kind the facts have not seen: then no kind is known, and every kind's actions are required.
 */
function judgedFor(facts: Facts, planned: PlannedRole): Pick<RoleFacts, "referencedBy"> {
  const kindsKnown = !facts.plan?.deployedServices?.length;
  const services = roleUsage(facts, planned.ref).services.map(
    (s): RoleReference => ({
      kind: "service",
      cluster: s.clusterArn,
      service: s.name,
      use: s.use,
      ...(kindsKnown && s.loadBalancerKinds ? { loadBalancerKinds: s.loadBalancerKinds } : {}),
    }),
  );
  const today = (roleToday(facts, planned)?.referencedBy ?? []).map((r): RoleReference => {
    if (kindsKnown || r.kind !== "service" || !r.loadBalancerKinds) return r;
    const { loadBalancerKinds: _unknown, ...rest } = r;
    return rest;
  });
  return { referencedBy: [...today, ...services] };
}

/** " and every action of Managed Instances": the other uses the after-state was judged for, for the pass. */
function otherUses(facts: Facts, planned: PlannedRole): string {
  const others = usesJudged(facts, planned).filter((u) => u.id !== "ebs");
  return others.length ? ` and every action of ${others.map((u) => u.label).join(", ")}` : "";
}

/** ECS's access to the role today, when the facts have it. */
function accessToday(facts: Facts, planned: PlannedRole): EcsAccess | undefined {
  const today = roleToday(facts, planned);
  if (!today) return undefined;
  const a = ecsAccess(facts, today, usesJudged(facts, planned), judgedFor(facts, planned));
  return "missing" in a ? undefined : a;
}

/**
 * What ECS may lose, said both ways: as the harm ("lose ec2:DeleteVolume") and as the doubt ("whether it will have
 * ec2:DeleteVolume"). A role the change creates has nothing to lose: it would lack it, or not trust ECS.
 */
interface Loss {
  harm: string;
  doubt: string;
}

const lossOfTrust = (exists: boolean): Loss =>
  exists ? { harm: "stop trusting ECS", doubt: "trust ECS" } : { harm: "not trust ECS", doubt: "trust ECS" };

const lossOf = (exists: boolean, what: string): Loss => ({
  harm: `${exists ? "lose" : "lack"} ${what}`,
  doubt: `have ${what}`,
});

/** What the change takes away of what ECS may do today: trust, each volume action, each TLS action. */
function accessLost(facts: Facts, planned: PlannedRole, after: EcsAccess, j: Judgement): void {
  const before = accessToday(facts, planned);
  const compare = (now: Verdict | undefined, then: Verdict, loss: Loss, changes: PlannedChange[]) => {
    if (then.is === "yes") return;
    // Already refused today: trust-policy and volume-permissions report it; the change does not make it worse.
    if (now && now.is === then.is) return;
    if (then.is === "no") j.harm.push({ what: `${loss.harm} (${then.why})`, changes });
    else j.undecided.push({ what: `whether it will ${loss.doubt}: ${then.why}`, changes });
  };
  compare(
    before?.trust,
    after.trust,
    lossOfTrust(Boolean(before)),
    byKind(planned, "trust", "create-role", "replace-role"),
  );
  const permissionChanges = planned.changes.filter((c) => PERMISSION_KINDS.has(c.kind));
  if (after.policiesError) {
    // Unreadable today too: only a change that leaves the permissions alone may rest on today's rules saying so.
    if (!before?.policiesError || permissionChanges.length)
      j.undecided.push({
        what: `its permissions after the change: ${after.policiesError.code}: ${after.policiesError.message}`,
        changes: permissionChanges.length ? permissionChanges : planned.changes,
      });
    return;
  }
  for (const { action, verdict } of after.actions) {
    const now = before?.actions.find((a) => a.action === action)?.verdict;
    // A role that does not exist today (created by the change) cannot lose anything: it lacks it.
    compare(now, verdict, lossOf(Boolean(before), action), permissionChanges);
  }
  // Every other use the role serves (Service Connect TLS, Managed Instances, Express, VPC Lattice, blue/green):
  // what its permissions rule requires, compared the same way.
  for (const { use, action, verdict } of after.useActions) {
    const now = before?.useActions.find((a) => a.use.id === use.id && a.action === action)?.verdict;
    // The use is named here; the finding's consequence sentence says what breaks for each use in use.
    compare(now, verdict, lossOf(Boolean(before), `${action} (${use.label})`), permissionChanges);
  }
}

/** Compares ECS's access after the change with today's: only what the change takes away counts against it. */
function judge(facts: Facts, planned: PlannedRole): Judgement {
  const j: Judgement = { harm: [], undecided: [] };
  if (planned.after.state === "deleted") {
    j.harm.push({ what: "be deleted", changes: byKind(planned, "delete-role") });
    return j;
  }
  if (planned.after.state === "unknown") {
    j.undecided.push({ what: planned.after.reason, changes: planned.changes });
    return j;
  }
  const replaced = byKind(planned, "replace-role");
  if (replaced.length) j.harm.push({ what: "be deleted and created again (replaced)", changes: replaced });
  // Another resource creates it again (a move without a `moved` block): the delete still takes it away for a while.
  const deleted = byKind(planned, "delete-role");
  if (deleted.length)
    j.harm.push({ what: "be deleted (another resource in the change creates it again)", changes: deleted });
  const after = ecsAccess(
    afterFacts(facts, planned.after.role),
    planned.after.role,
    usesJudged(facts, planned),
    judgedFor(facts, planned),
  );
  if ("missing" in after) {
    j.harm.push({ what: "no longer exist", changes: planned.changes });
    return j;
  }
  accessLost(facts, planned, after, j);
  return j;
}

/** The roles ECS uses in these facts (this account's), by lower-cased name; or why they cannot all be known. */
function rolesEcsUses(facts: Facts): Map<string, string> | string {
  const clusters = facts.ecs?.clusters;
  if (!clusters) return "ECS was not read";
  if (!clusters.ok) return `ECS clusters could not be listed (${clusters.error.code})`;
  const used = new Map<string, string>();
  const account = facts.caller.ok ? facts.caller.value.account : undefined;
  // A role of another account cannot have this account's customer managed policy attached.
  const use = (arn: string) => {
    if (!arn.startsWith("arn:") || parseArn(arn)?.account === account)
      used.set(roleNameOf(arn).toLowerCase(), roleNameOf(arn));
  };
  for (const c of clusters.value) {
    if (!c.services.ok || !c.tasks.ok || !c.capacityProviders?.ok || !c.expressServices?.ok)
      return `ECS could not be read in ${c.arn}`;
    for (const s of c.services.value)
      if (s.status === "ACTIVE" || s.status === "DRAINING")
        for (const r of s.infrastructureRoles) use(r.roleArn);
    for (const t of c.tasks.value)
      if (t.lastStatus !== "STOPPED" && t.lastStatus !== "DELETED")
        for (const a of t.ebsAttachments) if (a.roleArn) use(a.roleArn);
    // Capacity providers and Express services name their roles too (every use of the role).
    for (const u of [...c.capacityProviders.value, ...c.expressServices.value])
      if (u.status !== "INACTIVE" && u.infrastructureRoleArn) use(u.infrastructureRoleArn);
  }
  return used;
}

/**
 * Why the roles in use that a rewritten managed policy reaches cannot all be found in these facts (it reaches them
 * through today's attachments and boundaries): ECS unread or read in part, or a role ECS uses missing or unread.
 */
function policyReachGap(facts: Facts, partial: string): string | undefined {
  const used = rolesEcsUses(facts);
  if (typeof used === "string") return used;
  if (partial) return `ECS was read only for ${partial}`;
  const read = new Set(
    facts.roles.filter((r) => r.role.ok && r.attachedPolicies.ok).map((r) => r.name.toLowerCase()),
  );
  const missing = [...used].filter(([k]) => !read.has(k)).map(([, name]) => name);
  return missing.length
    ? `the facts lack or could not read role ${missing.join(", ")}, which ECS uses`
    : undefined;
}

/** The services using the role that the same change deletes: they still count, their tasks stop while it runs. */
function usersOf(usage: RoleUsage, plan: PlanFacts): string[] {
  return plan.deletedServices
    .filter((s) =>
      usage.services.some(
        (u) =>
          s.name && u.name === s.name && (!s.cluster || shortName(s.cluster) === shortName(u.clusterArn)),
      ),
    )
    .map((s) => s.address);
}

/** What every finding of one check needs: the change, the account, and which part of ECS was read. */
interface Context {
  facts: Facts;
  plan: PlanFacts;
  account: string | undefined;
  /** The scope flags that limited ECS to part of the account ("--cluster prod"), or "". */
  partial: string;
}

function otherAccountFinding(ctx: Context, planned: PlannedRole, otherAccount: string): RuleFinding {
  return {
    status: "unknown",
    resource: planned.ref,
    message: `${describe(planned.changes)}: ${planned.ref} is in account ${otherAccount}, but these facts are of account ${ctx.account ?? "(unknown)"}, so who uses it cannot be told. Run the check with credentials for account ${otherAccount} too.`,
    details: { changes: planned.changes },
  };
}

interface Seen {
  resource: string;
  usage: RoleUsage;
  /** true in use, false proven unused, undefined not known. */
  used: boolean | undefined;
  j: Judgement;
  deletedUsers: string[];
  details: Record<string, unknown>;
}

function see(ctx: Context, planned: PlannedRole): Seen {
  const { facts, plan, account, partial } = ctx;
  const resource =
    planned.after.state === "exists" && planned.after.role.role.ok && planned.after.role.role.value.exists
      ? planned.after.role.role.value.arn
      : planned.ref.startsWith("arn:")
        ? planned.ref
        : `arn:aws:iam::${account ?? ""}:role/${planned.name}`;
  const usage = roleUsage(facts, planned.ref);
  // ECS read in part of the account only: a task elsewhere may use the role, so "unused" is not proven.
  const used = inUse(usage) === false && partial ? undefined : inUse(usage);
  const j = judge(facts, planned);
  const deletedUsers = usersOf(usage, plan);
  const details = {
    changes: planned.changes,
    after: planned.after.state,
    inUse: used ?? null,
    tasks: usage.tasks.map((t) => t.arn),
    services: usage.services.map((s) => s.arn),
    capacityProviders: usage.capacityProviders.map((c) => c.arn),
    expressServices: usage.expressServices.map((e) => e.arn),
    // What uses the role, use by use (the headline names them).
    uses: usesInUse(usage).map((u) => u.id),
    harm: j.harm.map((h) => h.what),
    undecided: j.undecided.map((u) => u.what),
    ...(deletedUsers.length ? { deletedServices: deletedUsers } : {}),
  };
  return { resource, usage, used, j, deletedUsers, details };
}

/** The finding for one role: fail, unknown or pass, by what the change takes away and whether the role is in use. */
function roleFinding(ctx: Context, planned: PlannedRole): RuleFinding {
  const { facts, plan, partial } = ctx;
  const s = see(ctx, planned);
  const { j, used, usage, resource, details } = s;
  const users = usageSentence(usage);
  const fix = (services: string[]) => safeOrder(plan.source, planned.name, planned.changes, services);
  const changed = describe(planned.changes);
  if (j.harm.length && used === true) {
    const stopping = s.deletedUsers.length
      ? ` The same ${sourceNoun(plan.source)} deletes ${s.deletedUsers.join(", ")}: its tasks are still stopping ${whileItRuns(plan.source)}.`
      : "";
    return {
      status: "fail",
      resource,
      message: `${j.harm.map((h) => `${describe(h.changes) || `the ${sourceNoun(plan.source)}`}: ${planned.name} would ${h.what}`).join("; ")}, while ${users} still use it (${consequenceSentence(usage)}).${stopping}`,
      details,
      remediation: fix(s.deletedUsers),
    };
  }
  const risky = j.harm.length > 0 || j.undecided.length > 0;
  if (risky && used === undefined) {
    const unread = !usage.ecsRead
      ? "ECS was not read"
      : usage.unread.length
        ? usage.unread.map((u) => u.resource).join(", ")
        : `ECS was read only for ${partial}; the check without them reads every cluster`;
    return {
      status: "unknown",
      resource,
      message: `${changed}: ${planned.name} would ${[...j.harm, ...j.undecided].map((h) => h.what).join("; ")}, and the tool cannot tell whether a task or service uses it (${unread}).`,
      details,
      remediation: fix([]),
    };
  }
  if (j.undecided.length && used !== false)
    return {
      status: "unknown",
      resource,
      message: `${changed}: cannot tell ${j.undecided.map((u) => u.what).join("; ")}, and ${users} use ${planned.name}.`,
      details,
      remediation: fix(s.deletedUsers),
    };
  if (risky)
    return {
      status: "pass",
      resource,
      message: `${changed}: nothing (no task, service, capacity provider or Express service) uses ${planned.name} in ${facts.region} (the Region read; the role is global, so check other Regions that run ECS too), so it may ${j.harm.length ? j.harm.map((h) => h.what).join("; ") : "change"}.`,
      details,
    };
  return {
    status: "pass",
    resource,
    message: `${changed}: ECS keeps its trust and every volume action${otherUses(ctx.facts, planned)} on ${planned.name}${users ? ` (used by ${users})` : ""}.`,
    details,
  };
}

/** A change the source cannot attribute to a role before it runs: nothing about it can be judged. */
function unattributedFinding(plan: PlanFacts, change: PlannedChange): RuleFinding {
  const when =
    plan.source.format === "terraform" ? "known only after apply" : "known only once the change set runs";
  return {
    status: "unknown",
    resource: change.address,
    message: `${change.address} ${change.summary}: the role it changes is ${when}, so the ${sourceNoun(plan.source)} cannot be judged.`,
    details: { change },
  };
}

/** A rewritten managed policy whose reach the facts cannot tell: each is unknown. */
function policyReachFindings(ctx: Context): RuleFinding[] {
  const rewritten = Object.keys(ctx.plan.managedPolicies).filter(
    (arn) => !arn.startsWith(PLACEHOLDER_POLICY_PREFIX),
  );
  const gap = rewritten.length ? policyReachGap(ctx.facts, ctx.partial) : undefined;
  if (!gap) return [];
  return rewritten.map((arn) => ({
    status: "unknown" as const,
    resource: arn,
    message: `The ${sourceNoun(ctx.plan.source)} rewrites or deletes ${arn}, and the tool cannot tell which roles in use it reaches: ${gap}. Run the check with no --snapshot or scope flag, so every role ECS uses is read.`,
  }));
}

/** A source that may leave changes out never passes: each pass becomes unknown, and with nothing judged, it is. */
function incompleteFindings(plan: PlanFacts, findings: RuleFinding[]): RuleFinding[] {
  const why = plan.incomplete;
  if (!why) return findings;
  const marked = findings.map((f) =>
    f.status === "pass"
      ? { ...f, status: "unknown" as const, message: `${why}, so it may leave changes out: ${f.message}` }
      : f,
  );
  if (marked.length) return marked;
  return [
    {
      status: "unknown",
      resource: sourceName(plan.source),
      message: `${why}: it may leave out the changes that matter.`,
    },
  ];
}

export default defineRule({
  meta: {
    id: "planned-role-changes",
    title: "A planned change keeps the roles in use working",
    severity: "fail",
    concern: "changing-the-role",
    headline: "the planned change to {roles} would break what uses it{uses}",
    needs: ["roles", "ecs"],
    docs: {
      summary:
        "With check --plan FILE (a Terraform plan or a CloudFormation change set), --change-set or --before-stack-delete: no role still in use would, once the change runs, be deleted or replaced, stop trusting ECS, or lose a volume action or an action of any other use it serves (Service Connect TLS, Managed Instances, Express Mode, VPC Lattice, blue/green load balancers).",
      rationale:
        "One terraform apply, change set or stack deletion that deletes a service and its infrastructure role together " +
        "leaves the service's tasks hanging in DEPROVISIONING: ECS stops them after DeleteService returns, and by then " +
        "the role is gone. The rule applies the change to today's facts and judges each role it touches in that " +
        "after-state with the same evaluation as trust-policy, volume-permissions and, for every other use the role serves " +
        "(the uses it was seen in, and those a capacity provider, an Express service or a service's configuration puts it " +
        "to), that use's permissions rule (tls-permissions, managed-instances-permissions, express-permissions, " +
        "vpc-lattice-permissions, load-balancer-permissions): detaching AmazonECSInfrastructureRolePolicyForManagedInstances " +
        "from a capacity provider's role, with nothing else granting its actions, fails naming the use and what breaks. " +
        "Only what the change takes away counts: a role already refused today is those rules' finding.\n\n" +
        "What each Terraform change does:\n" +
        "- aws_iam_role delete: the role is gone. Replace (delete, then create): the provider detaches every managed " +
        "policy and deletes every inline one first, so the new role comes back without the attachments whose " +
        "resources stayed no-op.\n" +
        "- aws_iam_role assume_role_policy: rewrites the trust; permissions_boundary caps what the role may do; " +
        "managed_policy_arns and inline_policy count only where the configuration sets them or an update changes them " +
        "(a dynamic block jsonconfig does not show); otherwise they are computed copies of today's, and an attachment " +
        "deleted in the same plan wins; tags change nothing ECS needs.\n" +
        "- aws_iam_role_policy_attachment, aws_iam_policy_attachment: attach or detach a managed policy.\n" +
        "- aws_iam_role_policy: puts or deletes an inline policy.\n" +
        "- aws_iam_role_policy_attachments_exclusive, aws_iam_role_policies_exclusive: their list becomes the only " +
        "policies; deleting one detaches nothing.\n" +
        "- aws_iam_policy: its new document becomes the default version for every role it is attached to or bounds; " +
        "unknown unless every role ECS uses is in the facts (a snapshot or a scope flag may leave some out).\n" +
        "- A delete and a create of the same role, attachment or inline policy by two resources (a move without a " +
        "`moved` block) run in no fixed order, and create_before_destroy deletes last: the role counts as deleted, " +
        "the policy as detached.\n\n" +
        "What each CloudFormation change does (a change set, from `aws cloudformation describe-change-set " +
        "--include-property-values` or described live; the CDK's `cdk deploy --method=prepare-change-set` makes one):\n" +
        "- AWS::IAM::Role Remove: the role is gone, unless PolicyAction is Retain (DeletionPolicy: Retain). Replacement " +
        "True or Conditional (RoleName and Path are create-only): a new role with a new ARN, which the running tasks do " +
        "not hold; the old one is deleted unless PolicyAction is ReplaceAndRetain. The role's physical id is its name.\n" +
        "- AWS::IAM::Role AssumeRolePolicyDocument, PermissionsBoundary, ManagedPolicyArns and Policies are compared " +
        "before and after: a policy that leaves is detached or deleted, one that joins attached or put. Tags change nothing.\n" +
        "- AWS::IAM::Policy and AWS::IAM::RolePolicy put or delete an inline policy on each role they name; " +
        "AWS::IAM::ManagedPolicy (physical id: its ARN) attaches to and detaches from its Roles, and a new " +
        "PolicyDocument becomes its default version.\n" +
        "- A value CloudFormation learns only while it runs ({{changeSet:KNOWN_AFTER_APPLY}}) is unknown; a policy that " +
        "only allows, put on a role named that way, takes nothing away and is left out. So is a NoEcho parameter's " +
        "value, which CloudFormation shows as ****: never compared as that string.\n" +
        "- CloudFormation creates a replacement before it deletes the old resource, and deletes removed resources last: " +
        "a removal of the same policy counts.\n" +
        "- When CloudFormation says a description with property values may leave changes out ([WARN] " +
        "--include-property-values), check --change-set describes it again without values and merges, as the CDK does: " +
        "a change seen only there is unknown unless its kind alone decides it (a Remove). Nested stacks' change sets " +
        "are described too. A change set whose Status is not CREATE_COMPLETE, or whose ExecutionStatus is not AVAILABLE " +
        "(UNAVAILABLE, OBSOLETE), never passes; nor does a saved one missing Status, ExecutionStatus, or both StackId " +
        "and ChangeSetId (a trimmed file, another command's output).\n" +
        "- A change set is one account's and one Region's (its StackId says which): a saved one of another account, or " +
        "of a Region the check does not read, is exit 2 (run it with --region, or add the Region to --regions). Read " +
        "with --regions, its role changes are judged in every Region (IAM is global), the services its stack deletes " +
        "only in its own. A Terraform plan names no Region reliably, so it is applied in every Region read.\n" +
        "- check --before-stack-delete STACK: DeleteStack makes no change set, so every resource ListStackResources lists " +
        "(nested stacks' too) is removed unless the template's DeletionPolicy is Retain or RetainExceptOnCreate. ECS " +
        "moves a deleted service to INACTIVE once its tasks are STOPPING, so CloudFormation deletes the role while they " +
        "may still be DEPROVISIONING.\n\n" +
        "A role is in use while a task that is not STOPPED references it through an EBS attachment, an ACTIVE or " +
        "DRAINING service names it (EBS volumes, Service Connect TLS, VPC Lattice, a blue/green load balancer), or a " +
        "Managed Instances capacity provider or an Express service that is not INACTIVE names it (role-in-use lists " +
        "them; a role only a capacity provider uses is in use: deleting it leaves the provider unable to launch " +
        "instances); the message says what breaks for each use. The tasks of a service the same change deletes still " +
        "count, because they stop while it runs. A role nothing uses may change freely (pass), but only when ECS was read in " +
        "every cluster: with --cluster, --service or --task a role unused there is unknown. A value known only " +
        "after the change, a role the facts do not include, or use that could not be read is unknown; a Terraform plan " +
        "with errored: true never passes.",
      remediation:
        "The safe order: delete the service, `ecs-preflight wait --role ROLE`, then delete the role. Keep the role " +
        "until nothing uses it, in two steps:\n" +
        "1. Apply the service change first: terraform apply -target=aws_ecs_service.NAME, or a change set of its own " +
        "(CloudFormation, the CDK).\n" +
        "2. Wait until no task holds the role: ecs-preflight wait --role ROLE\n" +
        "3. Then apply the role change.\n" +
        "Or keep ECS's access in the same change: an equivalent policy, and the ecs.amazonaws.com trust. Before deleting " +
        "a stack, set DeletionPolicy: Retain on the role, or delete its services first, `ecs-preflight wait --role ROLE`, " +
        "then the stack.\n\n" +
        "In CI: terraform plan -out tfplan && terraform show -json tfplan > plan.json && ecs-preflight check --plan plan.json; " +
        "with the CDK: cdk deploy --method=prepare-change-set --change-set-name preflight, then " +
        "ecs-preflight check --change-set preflight --stack STACK, then cdk deploy --method=execute-change-set " +
        "--change-set-name preflight; before a teardown: ecs-preflight check --before-stack-delete STACK.",
    },
    snippets: TWO_STEP_APPLY,
  },
  check(facts) {
    const plan = facts.plan;
    if (!plan) return [];
    const { clusters, services, tasks } = facts.scope;
    const ctx: Context = {
      facts,
      plan,
      account: facts.caller.ok ? facts.caller.value.account : undefined,
      partial: [
        ...clusters.map((c) => `--cluster ${c}`),
        ...services.map((s) => `--service ${s}`),
        ...tasks.map((t) => `--task ${t}`),
      ].join(" "),
    };
    const findings: RuleFinding[] = plan.unattributed.map((c) => unattributedFinding(plan, c));
    for (const planned of plan.roles) {
      const otherAccount = planned.ref.startsWith("arn:") ? parseArn(planned.ref)?.account : undefined;
      if (otherAccount !== undefined && otherAccount !== ctx.account)
        findings.push(otherAccountFinding(ctx, planned, otherAccount));
      else findings.push(roleFinding(ctx, planned));
    }
    return incompleteFindings(plan, [...findings, ...policyReachFindings(ctx)]);
  },
});
