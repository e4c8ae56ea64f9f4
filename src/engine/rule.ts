import type { Facts } from "../facts/types.ts";
import type { Concern } from "./concerns.ts";
import type { RuleFinding, UnknownDetails } from "./finding.ts";
import type { RuleTotals } from "./totals.ts";

/**
 * The rule contract, in the spirit of typescript-eslint's `createRule`: a rule is its metadata, a pure check of Facts
 * and, optionally, what its findings add up to. `defineRule<Details, Options>` types the details a rule reports, its
 * own options and the data of each of its messages, so a wrong message id, option or detail is a compile error and
 * report code never casts. Everything about a rule lives in rules/<id>/; the engine, pipeline and report read only
 * this contract.
 */

/**
 * Facts a rule needs collected. Roles and ECS are read for the scope whatever the rules (the required rules need
 * them); the others are read only when an enabled rule needs them, so a rule turned off is not collected for (and its
 * permission never asked for). `organizations`: DescribeOrganization, and SimulatePrincipalPolicy for the roles'
 * uses when SCPs may apply.
 */
export type FactNeed = "roles" | "ecs" | "trail" | "volumes" | "principals" | "organizations";

/** What every rule may read besides the facts; the engine fills it from the flags and the config. */
export interface RuleContext<Options = unknown> {
  /** The evaluation instant (the snapshot's collectedAt, so a replay is exact). */
  now: Date;
  /** A task DEPROVISIONING longer than this is stuck. */
  stuckAfterMs: number;
  /** `check --before-role-change`: the caller is about to change or delete the roles in scope. */
  beforeRoleChange: boolean;
  /** The rule's own options, from the config (the defaults when it sets none). */
  options: Options;
}

/** A failed config value: names the path and what was expected (exit 2). */
export type ConfigFail = (path: string, expected: string) => never;

/** A rule's own options: the config keys they come from, how they are validated, and their defaults. */
export interface RuleOptionsSchema<Options> {
  /** Top-level keys of the config file (`prices`): the file format predates per-rule options and stays as it is. */
  configKeys: readonly string[];
  /** Validates the config's values for `configKeys` (only those present are given). */
  parse(values: Readonly<Record<string, unknown>>, fail: ConfigFail): Options;
  defaults: Options;
}

export interface RuleDocs {
  /** One line: what the rule checks. */
  summary: string;
  /** Why it matters: what breaks when it fails. */
  rationale: string;
  /** How to fix it, in prose with the AWS CLI commands. */
  remediation: string;
}

/**
 * The fix as configuration to paste, one snippet per tool (shown by `explain`, docs/rules and SARIF help). A rule of
 * severity fail has at least `awsCli`; a rule whose fix is operational says so in `operational` instead.
 */
export interface RemediationSnippets {
  /** Shell commands for the AWS CLI v2. */
  awsCli?: string;
  /** A CloudFormation template fragment (YAML). */
  cloudFormation?: string;
  /** Terraform (HCL, AWS provider). */
  terraform?: string;
  /** Why there is no configuration to paste: the fix is an operation (delete a volume, wait for a task). */
  operational?: string;
}

/** A rule's wording, ESLint-style: one function per message id, from the data its check judged. */
// biome-ignore lint/suspicious/noExplicitAny: a table's messages each take their own data type.
export type MessageTable = Record<string, (data: any) => string>;

/** A finding as a check returns it: its message said by id and data, or (for a shared helper) already worded. */
export type RuleResult<Details, Messages extends MessageTable> = Omit<RuleFinding<Details>, "message"> &
  (
    | { [Id in keyof Messages]: { messageId: Id; data: Parameters<Messages[Id]>[0] } }[keyof Messages]
    | { message: string }
  );

export interface RuleMeta<Options = unknown> {
  /** Stable id: the folder name under rules/, the config's key, the report's `rule`. */
  id: string;
  title: string;
  /** Which question the rule answers; the headline names the concern that failed. */
  concern: Concern;
  /** The worst status this rule reports for a problem it is sure of ("fail", or "warn" for advisory rules). */
  severity: "fail" | "warn";
  /** A required rule reports what the tool could not read: the config may not turn it off or cap it at warn. */
  required?: boolean;
  /** The rule is the question `check --before-role-change` asks: in that mode it is required as well. */
  requiredBeforeRoleChange?: boolean;
  /**
   * `stop` leaves the rule off unless the config sets a level for it: what it judges says nothing about whether
   * the named tasks can be stopped (volumes other tasks left, who may deploy).
   */
  offWhenStopping?: boolean;
  /**
   * What a fail of this rule means, for the headline when its concern is not stopping tasks ("deploys that pass
   * {roles} to ECS would fail"): {roles} becomes the failing roles' names, and {uses} what uses them as the
   * findings' details say (" (EBS volumes and Managed Instances)", or nothing when they do not say).
   */
  headline?: string;
  /** The facts the rule needs collected (see FactNeed). */
  needs: readonly FactNeed[];
  options?: RuleOptionsSchema<Options>;
  docs: RuleDocs;
  snippets: RemediationSnippets;
}

/** What a rule file defines: its metadata and wording, its check and, optionally, what its findings add up to. */
export interface RuleDefinition<Details, Options, Messages extends MessageTable> {
  meta: RuleMeta<Options> & { messages?: Messages };
  /** Pure: reads facts and the context, returns a finding per resource checked. */
  check(facts: Facts, context: RuleContext<Options>): RuleResult<Details | UnknownDetails, Messages>[];
  /** Report totals and metrics from this rule's findings (suppressed ones included). */
  summarize?(findings: readonly RuleFinding<Details | UnknownDetails>[]): RuleTotals;
}

/** The context a caller gives a rule: the options may be left out (the rule's defaults apply). */
export type RuleContextInput<Options = unknown> = Omit<
  RuleContext<Options>,
  "options" | "beforeRoleChange"
> & {
  beforeRoleChange?: boolean;
  options?: Options;
};

/** A rule as the registry holds it and the engine runs it: its metadata, and a check whose messages are worded. */
export interface Rule<Details = unknown, Options = unknown> extends RuleMeta<Options> {
  check(facts: Facts, context: RuleContextInput<Options>): RuleFinding<Details | UnknownDetails>[];
  summarize?(findings: readonly RuleFinding<Details | UnknownDetails>[]): RuleTotals;
}

/**
 * Defines a rule: types its details, options and messages, and words each result from its message table. The
 * returned rule is what rules/index.ts lists.
 */
export function defineRule<
  Details,
  Options = Record<string, never>,
  Messages extends MessageTable = Record<never, never>,
>(definition: RuleDefinition<Details, Options, Messages>): Rule<Details, Options> {
  const { meta, check, summarize } = definition;
  const messages = meta.messages;
  const { messages: _wording, ...rest } = meta;
  return {
    ...rest,
    check(facts, context) {
      const full: RuleContext<Options> = {
        ...context,
        beforeRoleChange: context.beforeRoleChange === true,
        options: context.options ?? (meta.options?.defaults as Options),
      };
      return check(facts, full).map((result) => worded(result, messages));
    },
    ...(summarize ? { summarize } : {}),
  };
}

function worded<Details, Messages extends MessageTable>(
  result: RuleResult<Details, Messages>,
  messages: Messages | undefined,
): RuleFinding<Details> {
  if ("message" in result) return result;
  const { messageId, data, ...finding } = result;
  const say = messages?.[messageId as keyof Messages];
  if (!say) throw new Error(`no message "${String(messageId)}" in the rule's table`);
  // The message where a finding has always had it: after the status and the resource.
  const { status, resource, ...after } = finding;
  return { status, resource, message: say(data), ...after } as RuleFinding<Details>;
}
