import type { Facts } from "../facts/types.ts";
import type { Config, Suppression } from "./config.ts";
import type { Finding, RuleFinding } from "./finding.ts";
import type { Rule, RuleContextInput } from "./rule.ts";
import type { Status } from "./status.ts";

/** The context the engine gives every rule; each rule's own options come from the config. */
export type EngineContext = Omit<RuleContextInput, "options">;

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, ".*")}$`);
}

function suppressionFor(
  finding: Finding,
  suppressions: readonly Suppression[],
  now: Date,
): Suppression | undefined {
  return suppressions.find(
    (s) =>
      s.rule === finding.rule &&
      globToRegExp(s.resource).test(finding.resource) &&
      (!s.expires || Date.parse(s.expires) > now.getTime()),
  );
}

/** A configured level caps a fail at warn, or raises a warn to fail; pass, skipped and unknown are facts, not opinions. */
function applyLevel(status: Status, level: "warn" | "fail" | undefined): Status {
  if (level === "warn" && status === "fail") return "warn";
  if (level === "fail" && status === "warn") return "fail";
  return status;
}

const RULE_ERROR_RESOURCE = "ecs-preflight:rule/";

/**
 * A rule that throws is a bug, but the gate must still answer: that rule is unknown (exit 3), never silently
 * skipped, and the other rules still report.
 */
function checkSafely(rule: Rule, facts: Facts, context: RuleContextInput): RuleFinding[] {
  try {
    return rule.check(facts, context) as RuleFinding[];
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return [
      {
        status: "unknown",
        resource: `${RULE_ERROR_RESOURCE}${rule.id}`,
        message: `The ${rule.id} rule failed on these facts (a bug in ecs-preflight; please report it with the snapshot): ${message}`,
        details: { api: "ecs-preflight:rule", code: "RuleError", error: message },
      },
    ];
  }
}

/** Runs every enabled rule on the facts; applies the config's levels and suppressions. */
export function runRules(
  facts: Facts,
  rules: readonly Rule[],
  context: EngineContext,
  config: Config,
  /** The wall clock: suppressions expire against it, not against when (possibly long ago) the facts were read. */
  evaluatedAt: Date = new Date(),
): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    // A config written for everyday checks must not switch off the gate a mode exists for.
    const required = rule.required || (context.beforeRoleChange === true && rule.requiredBeforeRoleChange);
    // Defence in depth: a required rule ignores any level a config parsed elsewhere might carry.
    const level = required ? undefined : config.rules[rule.id];
    if (level === "off") continue;
    const options = config.ruleOptions?.[rule.id];
    for (const raw of checkSafely(rule, facts, {
      ...context,
      ...(options === undefined ? {} : { options }),
    })) {
      const finding: Finding = { rule: rule.id, ...raw, status: applyLevel(raw.status, level) };
      // A required rule's gaps, and a rule's own crash, are not opinions: no suppression applies to them.
      const suppression =
        finding.status === "pass" ||
        finding.status === "skipped" ||
        required ||
        finding.resource.startsWith(RULE_ERROR_RESOURCE)
          ? undefined
          : suppressionFor(finding, config.suppressions, evaluatedAt);
      if (suppression) finding.suppressed = { reason: suppression.reason };
      findings.push(finding);
    }
  }
  return findings;
}
