/** The Principal element of a trust (resource) policy against the principal making the request. */

import type { RequestContext } from "./types.ts";

type RequestPrincipal = NonNullable<RequestContext["principal"]>;

const ACCOUNT_ROOT = /^arn:[^:]+:iam::(\d{12}):root$/;
const ACCOUNT_OF_ARN = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/;

/**
 * Whether a normalised principal map (`"*"` already turned into `{ "*": ["*"] }`) names the request principal.
 * Service names compare without case; an AWS account (ID or `:root` ARN) names every principal of that account
 * (the trust policy delegates to that account's own policies, which this does not evaluate).
 */
export function principalMatches(map: Record<string, string[]>, principal: RequestPrincipal): boolean {
  for (const [type, ids] of Object.entries(map)) {
    // "*" and {"AWS": "*"} both mean everyone, services included.
    if (type === "*" || (type === "AWS" && ids.includes("*"))) return true;
    if (type.toLowerCase() !== principal.type.toLowerCase()) continue;
    if (ids.some((id) => id === "*" || sameId(principal.type, id, principal.id))) return true;
  }
  return false;
}

function sameId(type: RequestPrincipal["type"], policyId: string, requestId: string): boolean {
  if (type === "Service") return policyId.toLowerCase() === requestId.toLowerCase();
  if (policyId === requestId) return true;
  if (type !== "AWS") return false;
  const account = /^\d{12}$/.test(policyId) ? policyId : ACCOUNT_ROOT.exec(policyId)?.[1];
  if (account === undefined) return false;
  const requestAccount = /^\d{12}$/.test(requestId) ? requestId : ACCOUNT_OF_ARN.exec(requestId)?.[1];
  return requestAccount === account;
}
