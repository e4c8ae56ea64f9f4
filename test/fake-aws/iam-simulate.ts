import { actionMatches, evaluateIdentity, parsePolicy } from "../../src/iam/index.ts";
import type { Decision, Policy, PolicySource, RequestValue } from "../../src/iam/types.ts";
import type { FakeRole, PolicyText } from "./account.ts";
import { AwsError } from "./errors.ts";
import { findPolicy, iamPage, required } from "./iam.ts";
import { type QueryParams, queryList } from "./query.ts";
import type { FakeState } from "./state.ts";
import type { XmlFields } from "./xml.ts";

/**
 * IAM SimulatePrincipalPolicy for a role of the account, as the current API answers it: one EvaluationResult per
 * action (the most restrictive decision over the resources, EvalResourceName a template, per-resource decisions and
 * missing context values in ResourceSpecificResults), paged with MaxItems/Marker over the results.
 *
 * EvalDecision comes from the project's own evaluator (src/iam) over the role's inline and attached policies and
 * its boundary, with the ContextEntries given and every other key unknown: a decision the evaluator leaves
 * conditional is AWS's implicitDeny with those keys in MissingContextValues (the simulator does not match a
 * statement whose condition key it was not given). SCPs are the account's `organization.scps`: a matching deny makes
 * the action implicitDeny with AllowedByOrganizations false and no matched statement, as AWS reports it. An account
 * outside any organization gets no OrganizationsDecisionDetail; the management account AllowedByOrganizations true
 * (SCPs do not affect it).
 */

const exact = (values: string[]): RequestValue => ({ kind: "exact", values });

function parsed(document: PolicyText | undefined, source: PolicySource): Policy[] {
  if (document === undefined) return [];
  const doc = typeof document === "string" ? JSON.parse(document) : document;
  const result = parsePolicy(doc, source);
  return result.ok ? [result.policy] : [];
}

function managedDocument(state: FakeState, arn: string): Policy[] {
  const policy = findPolicy(state, arn);
  if (!policy) return [];
  const name = policy.name ?? arn.slice(arn.lastIndexOf("/") + 1);
  return parsed(policy.versions[policy.defaultVersionId], { kind: "managed", name, arn });
}

function rolePolicies(state: FakeState, role: FakeRole) {
  const identity = [
    ...Object.entries(role.inline ?? {}).flatMap(([name, doc]) => parsed(doc, { kind: "inline", name })),
    ...(role.attached ?? []).flatMap((arn) => managedDocument(state, arn)),
  ];
  const boundary = role.boundaryArn ? managedDocument(state, role.boundaryArn) : undefined;
  return { identity, ...(boundary ? { boundary } : {}) };
}

function contextEntries(params: QueryParams): Record<string, RequestValue> {
  const context: Record<string, RequestValue> = {};
  for (let n = 1; params[`ContextEntries.member.${n}.ContextKeyName`] !== undefined; n++) {
    const name = params[`ContextEntries.member.${n}.ContextKeyName`] as string;
    context[name] = exact(queryList(params, `ContextEntries.member.${n}.ContextKeyValues.member`));
  }
  return context;
}

const AWS_DECISION: Record<Decision["decision"], string> = {
  allow: "allowed",
  "explicit-deny": "explicitDeny",
  "implicit-deny": "implicitDeny",
  conditional: "implicitDeny",
};
const RANK: Record<string, number> = { allowed: 0, implicitDeny: 1, explicitDeny: 2 };

function statementsOf(decision: Decision) {
  if (decision.decision === "conditional") return [];
  return decision.statements.map((s) => ({
    SourcePolicyId: s.source.name,
    SourcePolicyType:
      s.source.kind === "inline"
        ? "role"
        : s.source.arn?.includes(":aws:policy/")
          ? "aws-managed"
          : "user-managed",
  }));
}

function findRoleByArn(state: FakeState, arn: string): FakeRole {
  const name = arn.slice(arn.lastIndexOf("/") + 1).toLowerCase();
  const role = state.account.roles?.find((r) => r.name.toLowerCase() === name);
  if (!role || !arn.startsWith(`arn:aws:iam::${state.accountId}:role/`))
    throw new AwsError("NoSuchEntity", `The role with ARN ${arn} cannot be found.`, 404);
  return role;
}

const FULL_AWS_ACCESS = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
};

/** The condition keys a policy's statements name: those the call does not supply are absent to the simulator. */
function conditionKeys(policy: Policy): string[] {
  return policy.statements.flatMap((s) =>
    Object.values(s.condition ?? {}).flatMap((keys) => Object.keys(keys)),
  );
}

/** Whether an SCP document denies the action on any of the resources, its unsupplied condition keys absent. */
function documentDenies(
  document: object,
  name: string,
  action: string,
  resources: string[],
  context: Record<string, RequestValue>,
): boolean {
  const scp = parsed(document, { kind: "managed", name });
  const given = new Set(Object.keys(context).map((k) => k.toLowerCase()));
  const absentKeys = scp.flatMap(conditionKeys).filter((k) => !given.has(k.toLowerCase()));
  const identity = [...parsed(FULL_AWS_ACCESS, { kind: "managed", name: "FullAWSAccess" }), ...scp];
  return resources.some(
    (resource) =>
      evaluateIdentity({ action, resource: exact([resource]), context, absentKeys }, { identity })
        .decision === "explicit-deny",
  );
}

/** Whether an SCP of the account denies the action to the role; undefined outside an organization. */
function allowedByOrganizations(
  state: FakeState,
  role: FakeRole,
  action: string,
  resources: string[],
  context: Record<string, RequestValue>,
): boolean | undefined {
  const org = state.account.organization;
  if (!org) return undefined;
  if (org.managementAccountId === state.accountId) return true;
  return !(org.scps ?? []).some(
    (scp) =>
      (!scp.roles || scp.roles.some((r) => r.toLowerCase() === role.name.toLowerCase())) &&
      (scp.deny.some((pattern) => actionMatches(pattern, action)) ||
        (scp.document !== undefined && documentDenies(scp.document, scp.name, action, resources, context))),
  );
}

function evaluateAction(
  state: FakeState,
  role: FakeRole,
  action: string,
  resources: string[],
  params: QueryParams,
) {
  const policies = rolePolicies(state, role);
  const context = contextEntries(params);
  const byOrg = allowedByOrganizations(state, role, action, resources, context);
  const perResource = resources.map((resource) => {
    const decision = evaluateIdentity({ action, resource: exact([resource]), context }, policies);
    const missing =
      decision.decision === "conditional" ? [...new Set(decision.undecided.flatMap((u) => u.keys))] : [];
    const forced = state.account.simulatorDecisions?.[action];
    const spelled = byOrg === false ? "implicitDeny" : (forced ?? AWS_DECISION[decision.decision]);
    return { resource, decision: spelled, statements: statementsOf(decision), missing };
  });
  const worst = perResource.reduce((a, b) => ((RANK[b.decision] ?? 1) > (RANK[a.decision] ?? 1) ? b : a));
  const star = resources.length === 1 && resources[0] === "*";
  return {
    EvalActionName: action,
    EvalResourceName: star ? "*" : `arn:\${Partition}:${action.split(":")[0]}:\${Region}:\${Account}:*`,
    EvalDecision: worst.decision,
    MatchedStatements: byOrg === false ? [] : perResource.flatMap((r) => r.statements),
    MissingContextValues: star ? worst.missing : [],
    ...(byOrg === undefined ? {} : { OrganizationsDecisionDetail: { AllowedByOrganizations: byOrg } }),
    ...(star
      ? {}
      : {
          ResourceSpecificResults: perResource.map((r) => ({
            EvalResourceName: r.resource,
            EvalResourceDecision: r.decision,
            MatchedStatements: byOrg === false ? [] : r.statements,
            MissingContextValues: r.missing,
          })),
        }),
  };
}

export function simulatePrincipalPolicy(state: FakeState, params: QueryParams): XmlFields {
  const source = required(params, "PolicySourceArn");
  const role = findRoleByArn(state, source);
  const actions = queryList(params, "ActionNames.member");
  if (!actions.length) required(params, "ActionNames");
  const given = queryList(params, "ResourceArns.member");
  const resources = given.length ? given : ["*"];
  const results = actions.map((action) => evaluateAction(state, role, action, resources, params));
  const query = ["SimulatePrincipalPolicy", source, actions, resources];
  const { items, paging } = iamPage(state, params, results, query);
  return { EvaluationResults: items, ...paging } as unknown as XmlFields;
}
