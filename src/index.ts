/** ecs-preflight as a library: the same functions the CLI calls. */

export { rules } from "../rules/index.ts";
export { type CollectOptions, collect } from "./collect/index.ts";
export type { Concern, ConcernResult, Concerns } from "./engine/concerns.ts";
export { DEFAULT_STUCK_AFTER_MS } from "./engine/evaluate.ts";
export type { Finding, RuleFinding } from "./engine/finding.ts";
export {
  defineRule,
  type FactNeed,
  type RemediationSnippets,
  type Rule,
  type RuleContext,
  type RuleDocs,
} from "./engine/rule.ts";
export type { Status, Verdict } from "./engine/status.ts";
export type * from "./facts/types.ts";
export { type CheckOptions, check } from "./pipeline/check.ts";
export { evaluate } from "./pipeline/evaluate.ts";
export { checkTargets, resolveTargets, type TargetsCheckOptions } from "./pipeline/targets.ts";
export { EMF_METRICS, EMF_NAMESPACE, emfLines } from "./report/emf.ts";
export { FORMATS, type Format, formatReport } from "./report/index.ts";
export type { CommonCause, CommonCauseKind, Report, TargetResult } from "./report/types.ts";
export { readSnapshot, writeSnapshot } from "./snapshot/index.ts";
export type { Target, TargetFlags } from "./targets/account-regions.ts";
