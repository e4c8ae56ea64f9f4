import type { Fact, InlinePolicy, PlanFacts, PlannedChange } from "../facts/types.ts";

/**
 * The change model every source is read into (DESIGN.md, "The change gate"): what a change does to a role, said
 * without the source's words. An adapter (./terraform/, ./cloudformation/) turns its file or API answer into a
 * ChangeList; ./apply.ts applies it to today's facts. A value the source knows only once the change has run is an
 * error fact (code KnownAfterApply) carrying the source's own words for where it is.
 */

/** A role's name the source knows only after the change (a generated name, a reference to a new resource). */
export const UNKNOWN = Symbol("known after apply");
export type Known<T> = T | typeof UNKNOWN;

/** What a definition of the role (a create, a replacement's new half, an in-place update) says it will be. */
export interface RoleDefinition {
  /** The role's ARN when the source says it (a new role's is known only after the change). */
  arn?: string;
  path?: string;
  /** The trust policy; undefined for an update that leaves it as it is. */
  trust?: Fact<unknown>;
  /** The boundary's ARN, null for none; an error when known only after the change; undefined: as it is. */
  boundary?: Fact<string | null>;
  /** Set when the definition says which managed policies the role has, all of them (else what it has stays). */
  attached?: Fact<string[]>;
  /** Set when the definition says which inline policies the role has, all of them. */
  inline?: Fact<InlinePolicy[]>;
}

/** A managed policy a change attaches: its ARN (an error when known only after the change), and its document when the source carries it. */
export interface PolicyRef {
  arn: Fact<string>;
  /** A policy the same change creates: its document is known even while its ARN is not. */
  document?: Fact<unknown>;
}

/** What one change does to one role. */
export type RoleEffect =
  | { kind: "delete-role" }
  /** `fresh`: a new role (created, or the new half of a replacement) starts with only what the change gives it. */
  | { kind: "define-role"; fresh: boolean; definition: RoleDefinition }
  | { kind: "attach"; policy: PolicyRef }
  | { kind: "detach"; policyArn: Fact<string> }
  | { kind: "put-inline"; name: string; document: Fact<unknown> }
  | { kind: "delete-inline"; name: string }
  /** Whatever else attaches, these become the role's only attached policies (an exclusive resource). */
  | { kind: "only-attached"; policyArns: Fact<string[]> }
  /** Only the inline policies of these names stay. */
  | { kind: "only-inline"; policyNames: Fact<string[]> }
  /** The source says the role changes but not how (described without property values): its after-state is unknown. */
  | { kind: "undescribed"; reason: string };

export interface RoleTouch {
  /** The role's name; UNKNOWN when the source names it only after the change. */
  role: Known<string>;
  change: PlannedChange;
  effect?: RoleEffect;
  /** The role's ARN when the source writes it: a role of another account (a provider alias) is told by it. */
  arn?: string;
  /**
   * The change creates its new half before it deletes the old one (create_before_destroy, a CloudFormation
   * replacement): a removal it makes runs after what it adds, so it may undo it.
   */
  createsFirst?: boolean;
}

export interface PolicyChange {
  arn: string;
  change: PlannedChange;
  /** The new default version's document, or undefined when the change deletes the policy. */
  document?: Fact<unknown>;
  name?: string;
}

/** A role a managed policy reaches in the source (attached, or its boundary), before or after: a new version reaches it. */
export interface PolicyReach {
  policyArn: string;
  role: string;
}

/** What an adapter makes of its source: every change that touches a role, in the source's order. */
export interface ChangeList {
  source: PlanFacts["source"];
  /** Why the source may leave changes out (an errored plan, a change set not ready): it then never passes. */
  incomplete?: string;
  /** The `api` of the error facts apply writes for this source ("terraform:plan", "cloudformation:DescribeChangeSet"). */
  api: string;
  touches: RoleTouch[];
  policies: PolicyChange[];
  reach: PolicyReach[];
  deletedServices: PlanFacts["deletedServices"];
  /** ECS services the change creates or updates with a load balancer it may set (PlanFacts.deployedServices). */
  deployedServices?: string[];
}
