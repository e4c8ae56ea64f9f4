import { parseArn } from "../arn/arn.ts";
import type { RequestContext, RequestValue } from "../iam/types.ts";
import { carriesTags, tagsReach } from "./call-tags.ts";
import type { RoleLocation } from "./ecs-requests.ts";

/**
 * What ECS must be allowed to do for a use whose AWS managed policy is the statement of record (Managed Instances,
 * Express Mode, VPC Lattice, blue/green load balancers): every action of the policy's default version, on every
 * resource the policy grants it on, read from the document itself so that a new version shipped under
 * fixtures/policies/ changes what is required. The requests are built from ECS's side of each condition key (a
 * per-use model), never from the policy's values: the managed policy passing its own requirements is a test of the
 * model, not a tautology. A condition key the model does not know makes the document unusable (an error at load),
 * so a new version with a new key must be modelled before it is trusted.
 */

/** One action the managed policy grants on one resource: a request ECS makes and must be allowed. */
export interface PolicyRequirement {
  action: string;
  /** The managed policy's statement that grants it (its Sid, else "statement N"). */
  sid: string;
  /** The statement's resource as the policy writes it ("arn:aws:ec2:*:*:launch-template/*", or "*"). */
  resource: string;
}

/**
 * ECS's side of a use's requests. Alternatives are requests ECS makes in turn (all must be allowed): the value of a
 * single-valued key that differs between ECS's calls (ec2:CreateAction on CreateTags, say).
 */
export interface RequestModel {
  policyName: string;
  /**
   * Resource types (the ARN's resource part up to its first "/" or ":") that ECS creates for this use and tags
   * AmazonECSManaged=true: their aws:ResourceTag/AmazonECSManaged (and the service's own spelling) is "true". Any
   * other resource's tags are the customer's, unknown.
   */
  taggedTypes: ReadonlySet<string>;
  /** Whether ECS tags what it creates for this use with AmazonECSManaged=true (aws:RequestTag on creating calls). */
  tagsOnCreate: boolean;
  /** Other condition keys the policy names (lower-cased), with the values ECS sends: undefined leaves a key unknown. */
  keys: Readonly<Record<string, (requirement: PolicyRequirement) => RequestValue[] | undefined>>;
  /**
   * Resource types a statement lists for an action that the action never authorises (IAM ignores them): no request
   * is built for them, since ECS cannot make one.
   */
  notAuthorisedOn?: Readonly<Record<string, readonly string[]>>;
  /**
   * Calls that carry ECS's tags when they create something, but that ECS also makes later without any (a rule
   * added to a security group it created, a scalable target it updates): per action, the resource types that
   * untagged request names. Each gets a second request with the request-tag keys absent, so a role that allows the
   * call only with aws:RequestTag fails as IAM would refuse ECS's later call.
   */
  alsoUntaggedOn?: Readonly<Record<string, readonly string[]>>;
}

interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocumentShape {
  Statement: PolicyStatement[];
}

const exact = (...values: string[]): RequestValue => ({ kind: "exact", values });
const pattern = (p: string): RequestValue => ({ kind: "pattern", pattern: p });

/** Actions authorised against "*" with no resource (list and describe calls without resource-level permissions). */
const STAR_ONLY = [/^ec2:describe/i, /^elasticloadbalancing:describe/i, /^tag:getresources$/i];

/**
 * The Region IAM's own calls are signed for: IAM has one endpoint per partition, so aws:RequestedRegion of
 * iam:CreateServiceLinkedRole (any IAM call ECS makes) is that Region, not the role's (the SDK's IAM endpoint rules
 * sign every partition's endpoint for one Region). iam:PassRole is no IAM call: it is authorised inside the call
 * that passes the role, in that call's Region.
 */
const IAM_REGION: Record<string, string> = {
  aws: "us-east-1",
  "aws-cn": "cn-north-1",
  "aws-us-gov": "us-gov-west-1",
  "aws-iso": "us-iso-east-1",
  "aws-iso-b": "us-isob-east-1",
  "aws-iso-e": "eu-isoe-west-1",
  "aws-iso-f": "us-isof-south-1",
  "aws-eusc": "eusc-de-east-1",
};

/** The Region an action's request names (aws:RequestedRegion); undefined when it cannot be known. */
export function requestedRegion(action: string, loc: RoleLocation): string | undefined {
  const [service, name] = action.toLowerCase().split(":");
  if (service !== "iam" || name === "passrole") return loc.region;
  return IAM_REGION[loc.partition];
}

/** The AmazonECSManaged resource- and request-tag keys every model knows how to answer. */
function tagKeys(action: string): string[] {
  const service = action.slice(0, action.indexOf(":")).toLowerCase();
  return [
    "aws:requesttag/amazonecsmanaged",
    "aws:resourcetag/amazonecsmanaged",
    `${service}:resourcetag/amazonecsmanaged`,
  ];
}

const asList = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

/** The resource type an ARN (or ARN pattern) names: `launch-template` of `…:launch-template/*`, `alarm` of `…:alarm:*`. */
export function resourceTypeOf(resource: string): string {
  const part = parseArn(resource)?.resource ?? "";
  return part.split(/[/:]/)[0] ?? "";
}

/**
 * Every requirement of the document, statement by statement; throws when a statement conditions on a key the model
 * does not know (the policy changed: model it first), or is not a plain Allow of actions on resources.
 */
export function requirementsFromPolicy(
  document: PolicyDocumentShape,
  model: RequestModel,
): PolicyRequirement[] {
  return document.Statement.flatMap((statement, i) => {
    if (statement.Effect !== "Allow") return [];
    const sid = statement.Sid ?? `statement ${i + 1}`;
    return asList(statement.Action).flatMap((action) => {
      const known = new Set([...tagKeys(action), ...Object.keys(model.keys)]);
      for (const byKey of Object.values(statement.Condition ?? {}))
        for (const key of Object.keys(byKey))
          if (!known.has(key.toLowerCase()))
            throw new Error(`${model.policyName}: condition key ${key} (${sid}) is not modelled`);
      if (carriesTags(action) === undefined)
        throw new Error(`${model.policyName}: whether ${action} (${sid}) carries tags is not modelled`);
      const skipped = model.notAuthorisedOn?.[action] ?? [];
      const resources = asList(statement.Resource).filter((r) => !skipped.includes(resourceTypeOf(r)));
      // A statement granting an action only on types it never authorises would leave the action unrequired.
      if (!resources.length)
        throw new Error(`${model.policyName}: ${action} (${sid}) is authorised on none of its resources`);
      return resources.map((resource) => ({ action, sid, resource }));
    });
  });
}

/** The policy's resource placed in the role's partition, Region and account ("*" there means wherever ECS acts). */
function placedResource(requirement: PolicyRequirement, loc: RoleLocation): RequestValue {
  const { action, resource } = requirement;
  if (resource === "*") {
    if (STAR_ONLY.some((re) => re.test(action))) return exact("*");
    // A call the policy grants on every resource still names one: some resource of the service, here.
    const service = action.slice(0, action.indexOf(":"));
    const region = service === "iam" ? "" : loc.region;
    return pattern(`arn:${loc.partition}:${service}:${region}:${loc.account}:*`);
  }
  const arn = parseArn(resource);
  if (!arn) return pattern(resource);
  const region = arn.region === "*" ? loc.region : arn.region;
  const account = arn.account === "*" ? loc.account : arn.account;
  const placed = `arn:${loc.partition}:${arn.service}:${region}:${account}:${arn.resource}`;
  return placed.includes("*") || placed.includes("?") ? pattern(placed) : exact(placed);
}

/** Every combination of the alternatives, one context each. */
function combinations(
  base: Record<string, RequestValue>,
  choices: [string, RequestValue[]][],
): Record<string, RequestValue>[] {
  return choices.reduce<Record<string, RequestValue>[]>(
    (contexts, [key, values]) => contexts.flatMap((c) => values.map((v) => ({ ...c, [key]: v }))),
    [base],
  );
}

/** The requests ECS makes, as the role's session, for one requirement of the use. */
export function requestsFor(
  requirement: PolicyRequirement,
  loc: RoleLocation,
  model: RequestModel,
): RequestContext[] {
  const { action } = requirement;
  const service = action.slice(0, action.indexOf(":"));
  const resource = placedResource(requirement, loc);
  const listed = resource.kind === "exact" && resource.values[0] === "*";
  const region = requestedRegion(action, loc);
  const base: Record<string, RequestValue> = {
    "aws:PrincipalAccount": exact(loc.account),
    "aws:PrincipalArn": exact(loc.roleArn),
    ...(region ? { "aws:RequestedRegion": exact(region) } : {}),
    ...(service === "ec2" ? { "ec2:Region": exact(loc.region) } : {}),
  };
  // A resource in the role's own account (ECS acts in the account it serves); an AMI or "*" is left unknown.
  const arn = listed
    ? undefined
    : parseArn(
        resource.kind === "exact"
          ? (resource.values[0] ?? "")
          : resource.kind === "pattern"
            ? resource.pattern
            : "",
      );
  if (arn?.account === loc.account) base["aws:ResourceAccount"] = exact(loc.account);
  const type = resourceTypeOf(requirement.resource);
  if (!listed && model.taggedTypes.has(type)) {
    base["aws:ResourceTag/AmazonECSManaged"] = exact("true");
    base[`${service}:ResourceTag/AmazonECSManaged`] = exact("true");
  }
  const tagged = tagsReach(action, type);
  const choices = Object.entries(model.keys).flatMap(([key, values]): [string, RequestValue[]][] => {
    const v = values(requirement);
    return v?.length ? [[key, v]] : [];
  });
  const resourceAbsent = listed ? ["aws:ResourceTag/", `${service}:ResourceTag/`] : [];
  const untagged = [...resourceAbsent, "aws:RequestTag/", "aws:TagKeys"];
  const build = (context: Record<string, RequestValue>, absentKeys: string[]): RequestContext => ({
    action,
    resource,
    context,
    ...(absentKeys.length ? { absentKeys } : {}),
  });
  const contexts = combinations(base, choices);
  if (!tagged) return contexts.map((c) => build(c, untagged));
  // A tagging call's own tags: AmazonECSManaged=true where ECS tags what it creates; unknown otherwise.
  const withTags = contexts.map((c) =>
    build(
      model.tagsOnCreate ? { ...c, "aws:RequestTag/AmazonECSManaged": exact("true") } : c,
      resourceAbsent,
    ),
  );
  const later = model.alsoUntaggedOn?.[action]?.includes(type) ? contexts.map((c) => build(c, untagged)) : [];
  return [...withTags, ...later];
}
