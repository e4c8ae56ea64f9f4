/**
 * The rule id of the finding for a target that could not be checked at all (its role could not be assumed, its
 * session expired, or, in merge --expect, its run left no report). Not a rule of rules/: it is about reaching the
 * account-Region, not about what is in it; the pipeline and merge set it, never the engine.
 */
export const TARGET_ACCESS_RULE = "target-access";
