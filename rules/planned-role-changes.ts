import { parseArn, roleNameOf, shortName } from "../src/analysis/arn.ts";
import { type EcsAccess, ecsAccess, type Verdict } from "../src/analysis/ecs-access.ts";
import { afterFacts } from "../src/analysis/planned-state.ts";
import { TWO_STEP_APPLY } from "../src/analysis/remediation-snippets.ts";
import { inUse, type RoleUsage, roleUsage, usageSentence } from "../src/analysis/role-usage.ts";
import { defineRule, type RuleFinding } from "../src/engine/types.ts";
import {
  type Facts,
  PLACEHOLDER_POLICY_PREFIX,
  type PlanFacts,
  type PlannedChange,
  type PlannedRole,
} from "../src/facts/types.ts";

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

function safeOrder(name: string, services: string[]): string {
  return [
    `Safe order: delete the service, \`ecs-preflight wait --role ${name}\`, then delete or change the role. Change ${name} only once nothing uses it, in two applies:`,
    `1. Apply the service change first (delete or update the service${services.length ? `: terraform apply ${services.map((s) => `-target=${s}`).join(" ")}` : ""}), leaving the role as it is.`,
    `2. Wait until no task holds the role: ecs-preflight wait --role ${name}`,
    "3. Then apply the role change: terraform plan -out tfplan && terraform apply tfplan",
    "Or keep ECS's access in the same plan (an equivalent policy, the ecs.amazonaws.com trust).",
  ].join("\n");
}

interface Judgement {
  harm: { what: string; changes: PlannedChange[] }[];
  undecided: { what: string; changes: PlannedChange[] }[];
}

/** Compares ECS's access after apply with today's: only what the plan takes away counts against it. */
function judge(facts: Facts, planned: PlannedRole): Judgement {
  const j: Judgement = { harm: [], undecided: [] };
  const by = (kinds: Set<PlannedChange["kind"]>) => planned.changes.filter((c) => kinds.has(c.kind));
  if (planned.after.state === "deleted") {
    j.harm.push({ what: "be deleted", changes: by(new Set(["delete-role"])) });
    return j;
  }
  if (planned.after.state === "unknown") {
    j.undecided.push({ what: planned.after.reason, changes: planned.changes });
    return j;
  }
  const replaced = by(new Set(["replace-role"]));
  if (replaced.length) j.harm.push({ what: "be deleted and created again (replaced)", changes: replaced });
  // Another resource creates it again (a move without a `moved` block): the delete still takes it away for a while.
  const deleted = by(new Set(["delete-role"]));
  if (deleted.length)
    j.harm.push({ what: "be deleted (another resource in the plan creates it again)", changes: deleted });
  const today = facts.roles.find((r) => r.name.toLowerCase() === planned.name.toLowerCase());
  const before: EcsAccess | undefined = (() => {
    if (!today) return undefined;
    const a = ecsAccess(facts, today);
    return "missing" in a ? undefined : a;
  })();
  const after = ecsAccess(afterFacts(facts, planned.after.role), planned.after.role);
  if ("missing" in after) {
    j.harm.push({ what: "no longer exist", changes: planned.changes });
    return j;
  }
  const compare = (now: Verdict | undefined, then: Verdict, what: string, changes: PlannedChange[]) => {
    if (then.is === "yes") return;
    // Already refused today: trust-policy and volume-permissions report it; the plan does not make it worse.
    if (now && now.is === then.is) return;
    if (then.is === "no") j.harm.push({ what: `${what} (${then.why})`, changes });
    else
      j.undecided.push({
        what: `whether it will ${what.replace(/^(lose|lack)/, "have").replace(/^(stop trusting|not trust)/, "trust")}: ${then.why}`,
        changes,
      });
  };
  compare(
    before?.trust,
    after.trust,
    before ? "stop trusting ECS" : "not trust ECS",
    by(new Set(["trust", "create-role", "replace-role"])),
  );
  const permissionChanges = by(PERMISSION_KINDS);
  if (after.policiesError) {
    // Unreadable today too: only a plan that leaves the permissions alone may rest on today's rules saying so.
    if (!before?.policiesError || permissionChanges.length)
      j.undecided.push({
        what: `its permissions after apply: ${after.policiesError.code}: ${after.policiesError.message}`,
        changes: permissionChanges.length ? permissionChanges : planned.changes,
      });
  } else {
    for (const { action, verdict } of after.actions) {
      const now = before?.actions.find((a) => a.action === action)?.verdict;
      // A role that does not exist today (created by the plan) cannot lose anything: it lacks it.
      compare(now, verdict, `${before ? "lose" : "lack"} ${action}`, permissionChanges);
    }
    // A Service Connect TLS role: what tls-permissions requires, compared the same way.
    for (const { action, verdict } of after.tlsActions) {
      const now = before?.tlsActions.find((a) => a.action === action)?.verdict;
      compare(now, verdict, `${before ? "lose" : "lack"} ${action} (Service Connect TLS)`, permissionChanges);
    }
  }
  return j;
}

/**
 * Why the roles in use that a rewritten managed policy reaches cannot all be found in these facts (it reaches them
 * through today's attachments and boundaries): ECS unread or read in part, or a role ECS uses missing or unread.
 */
function policyReachGap(facts: Facts, partial: string): string | undefined {
  const clusters = facts.ecs?.clusters;
  if (!clusters) return "ECS was not read";
  if (!clusters.ok) return `ECS clusters could not be listed (${clusters.error.code})`;
  if (partial) return `ECS was read only for ${partial}`;
  const used = new Map<string, string>();
  const account = facts.caller.ok ? facts.caller.value.account : undefined;
  // A role of another account cannot have this account's customer managed policy attached.
  const use = (arn: string) => {
    if (!arn.startsWith("arn:") || parseArn(arn)?.account === account)
      used.set(roleNameOf(arn).toLowerCase(), roleNameOf(arn));
  };
  for (const c of clusters.value) {
    if (!c.services.ok || !c.tasks.ok) return `ECS could not be read in ${c.arn}`;
    for (const s of c.services.value)
      if (s.status === "ACTIVE" || s.status === "DRAINING")
        for (const r of s.infrastructureRoles) use(r.roleArn);
    for (const t of c.tasks.value)
      if (t.lastStatus !== "STOPPED" && t.lastStatus !== "DELETED")
        for (const a of t.ebsAttachments) if (a.roleArn) use(a.roleArn);
  }
  const read = new Set(
    facts.roles.filter((r) => r.role.ok && r.attachedPolicies.ok).map((r) => r.name.toLowerCase()),
  );
  const missing = [...used].filter(([k]) => !read.has(k)).map(([, name]) => name);
  return missing.length
    ? `the facts lack or could not read role ${missing.join(", ")}, which ECS uses`
    : undefined;
}

/** The services using the role that the same plan deletes: they still count, their tasks stop during apply. */
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

export default defineRule({
  id: "planned-role-changes",
  title: "A Terraform plan keeps the roles in use working",
  severity: "fail",
  docs: {
    snippets: TWO_STEP_APPLY,
    summary:
      "With check --plan FILE: no role still in use would, once the plan is applied, be deleted or replaced, stop trusting ECS, or lose a volume action (or, for a Service Connect TLS role, a TLS action).",
    rationale:
      "One terraform apply that deletes a service and its infrastructure role together leaves the service's tasks " +
      "hanging in DEPROVISIONING: ECS stops them after DeleteService returns, and by then the role is gone. The rule " +
      "applies the plan's resource_changes to today's facts and judges each role the plan touches in that " +
      "after-state with the same evaluation as trust-policy, volume-permissions and, for a role a service names for Service " +
      "Connect TLS, tls-permissions. Only what the plan takes away counts: a role already refused today is those rules' finding.\n\n" +
      "What each change does:\n" +
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
      "A role is in use while a task that is not STOPPED references it through an EBS attachment, or an ACTIVE or " +
      "DRAINING service's deployment names it; the tasks of a service the same plan deletes still count, because " +
      "they stop while the apply runs. A role nothing uses may change freely (pass), but only when ECS was read in " +
      "every cluster: with --cluster, --service or --task a role unused there is unknown. A value Terraform knows only " +
      "after apply, a role the facts do not include, or use that could not be read is unknown; a plan with " +
      "errored: true never passes.",
    remediation:
      "The safe order: delete the service, `ecs-preflight wait --role ROLE`, then delete the role. Keep the role " +
      "until nothing uses it, in two applies:\n" +
      "1. Apply the service change first: terraform apply -target=aws_ecs_service.NAME\n" +
      "2. Wait until no task holds the role: ecs-preflight wait --role ROLE\n" +
      "3. Then apply the role change.\n" +
      "Or keep ECS's access in the same plan: an equivalent policy, and the ecs.amazonaws.com trust.\n\n" +
      "In CI: terraform plan -out tfplan && terraform show -json tfplan > plan.json && ecs-preflight check --plan plan.json",
  },
  check(facts) {
    const plan = facts.plan;
    if (!plan) return [];
    const findings: RuleFinding[] = [];
    const account = facts.caller.ok ? facts.caller.value.account : undefined;
    const { clusters, services, tasks } = facts.scope;
    const partial = [
      ...clusters.map((c) => `--cluster ${c}`),
      ...services.map((s) => `--service ${s}`),
      ...tasks.map((t) => `--task ${t}`),
    ].join(" ");
    for (const change of plan.unattributed)
      findings.push({
        status: "unknown",
        resource: change.address,
        message: `${change.address} ${change.summary}: the role it changes is known only after apply, so the plan cannot be judged.`,
        details: { change },
      });
    for (const planned of plan.roles) {
      const otherAccount = planned.ref.startsWith("arn:") ? parseArn(planned.ref)?.account : undefined;
      if (otherAccount !== undefined && otherAccount !== account) {
        findings.push({
          status: "unknown",
          resource: planned.ref,
          message: `${describe(planned.changes)}: ${planned.ref} is in account ${otherAccount}, but these facts are of account ${account ?? "(unknown)"}, so who uses it cannot be told. Run check --plan with credentials for account ${otherAccount} too.`,
          details: { changes: planned.changes },
        });
        continue;
      }
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
        harm: j.harm.map((h) => h.what),
        undecided: j.undecided.map((u) => u.what),
        ...(deletedUsers.length ? { deletedServices: deletedUsers } : {}),
      };
      const users = usageSentence(usage);
      const stopping = deletedUsers.length
        ? ` The same plan deletes ${deletedUsers.join(", ")}: its tasks are still stopping while the apply runs.`
        : "";
      let finding: RuleFinding;
      if (j.harm.length && used === true) {
        finding = {
          status: "fail",
          resource,
          message: `${j.harm.map((h) => `${describe(h.changes) || "the plan"}: ${planned.name} would ${h.what}`).join("; ")}, while ${users} still use it: their volumes would hang in DEPROVISIONING.${stopping}`,
          details,
          remediation: safeOrder(planned.name, deletedUsers),
        };
      } else if ((j.harm.length || j.undecided.length) && used === undefined) {
        const unread = !usage.ecsRead
          ? "ECS was not read"
          : usage.unread.length
            ? usage.unread.map((u) => u.resource).join(", ")
            : `ECS was read only for ${partial}; check --plan without them reads every cluster`;
        finding = {
          status: "unknown",
          resource,
          message: `${describe(planned.changes)}: ${planned.name} would ${[...j.harm, ...j.undecided].map((h) => h.what).join("; ")}, and the tool cannot tell whether a task or service uses it (${unread}).`,
          details,
          remediation: safeOrder(planned.name, []),
        };
      } else if (j.undecided.length && used !== false) {
        finding = {
          status: "unknown",
          resource,
          message: `${describe(planned.changes)}: cannot tell ${j.undecided.map((u) => u.what).join("; ")}, and ${users} use ${planned.name}.`,
          details,
          remediation: safeOrder(planned.name, deletedUsers),
        };
      } else if (used === false && (j.harm.length || j.undecided.length)) {
        finding = {
          status: "pass",
          resource,
          message: `${describe(planned.changes)}: no task or service uses ${planned.name} in ${facts.region} (the Region read; the role is global, so check other Regions that run ECS too), so it may ${j.harm.length ? j.harm.map((h) => h.what).join("; ") : "change"}.`,
          details,
        };
      } else {
        finding = {
          status: "pass",
          resource,
          message: `${describe(planned.changes)}: ECS keeps its trust and every volume action on ${planned.name}${users ? ` (used by ${users})` : ""}.`,
          details,
        };
      }
      if (plan.incomplete && finding.status === "pass")
        finding = {
          ...finding,
          status: "unknown",
          message: `${plan.incomplete}, so it may leave changes out: ${finding.message}`,
        };
      findings.push(finding);
    }
    const rewritten = Object.keys(plan.managedPolicies).filter(
      (arn) => !arn.startsWith(PLACEHOLDER_POLICY_PREFIX),
    );
    const gap = rewritten.length ? policyReachGap(facts, partial) : undefined;
    if (gap)
      for (const arn of rewritten)
        findings.push({
          status: "unknown",
          resource: arn,
          message: `The plan rewrites or deletes ${arn}, and the tool cannot tell which roles in use it reaches: ${gap}. Run check --plan with no --snapshot or scope flag, so every role ECS uses is read.`,
        });
    if (plan.incomplete && !findings.length)
      findings.push({
        status: "unknown",
        resource:
          plan.source.format === "terraform" ? plan.source.file : (plan.source.file ?? plan.source.stack),
        message: `${plan.incomplete}: it may leave out the changes that matter.`,
      });
    return findings;
  },
});
