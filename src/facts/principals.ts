import type { DeployingPrincipal, Facts } from "./types.ts";

/**
 * The principals pass-role judges. Facts gathered before principals were a list carry one `principal` (the
 * --principal, else the caller): it reads as a one-element list, with the origin it had. Undefined when none were
 * collected (the rule was off, or no role was in scope).
 */
export function deployingPrincipals(facts: Facts): DeployingPrincipal[] | undefined {
  if (facts.principals) return facts.principals;
  const legacy = facts.principal;
  if (!legacy) return undefined;
  const source = legacy.ok ? legacy.value.source : "caller";
  const callerArn = facts.caller.ok ? facts.caller.value.arn : undefined;
  const ref = legacy.ok ? legacy.value.ref : (callerArn ?? "the deploying principal");
  return [{ ref, origin: { kind: source === "flag" ? "flag" : "caller" }, facts: legacy }];
}

/** Facts with a legacy `principal` rewritten as `principals` (what a snapshot of an older version is read as). */
export function withPrincipalList(facts: Facts): Facts {
  if (facts.principals || !facts.principal) return facts;
  const { principal: _legacy, ...rest } = facts;
  const principals = deployingPrincipals(facts);
  return principals ? { ...rest, principals } : rest;
}
