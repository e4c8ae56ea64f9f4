import type { AwsService } from "./account.ts";
import { AwsError } from "./errors.ts";
import type { FakeState } from "./state.ts";

/**
 * Injected failures. Error kinds answer with each service's real error code, status and envelope; transport kinds
 * (reset, slow, truncated, not-xml-or-json) misbehave at the HTTP level, as a proxy or a dropped connection would.
 */
export type FaultKind =
  | "access-denied"
  | "expired-token"
  | "throttle"
  | "http-500"
  | "http-503"
  | "reset"
  | "slow"
  | "truncated"
  | "not-xml-or-json";

export interface FaultRule {
  /** Only this service (default: any). */
  service?: AwsService;
  /** Only this operation, e.g. "GetRole" (default: any). */
  action?: string;
  /** Only requests answered as this account / in this Region (default: any). */
  account?: string;
  region?: string;
  kind: FaultKind;
  /** Fault every Nth matching request (1 = every one, the default; 3 = the 3rd, 6th, …). */
  every?: number;
  /** Fault at most this many times. */
  times?: number;
  /** For "slow": how long to hold the answer (default 1000 ms). */
  delayMs?: number;
  /**
   * Fault each SDK call at most once (by its amz-sdk-invocation-id), so the SDK's retry always gets through. With
   * concurrent calls, plain `every: 3` can land on all of one call's attempts; this keeps "retried transparently"
   * deterministic. Requests without the header (raw fetch, AWS CLI) are treated as distinct calls.
   */
  oncePerCall?: boolean;
  /**
   * Fault each SDK call at most this many times (by its amz-sdk-invocation-id): a storm the retries can ride out
   * deterministically, however concurrent calls interleave (`oncePerCall` is `maxPerCall: 1`).
   */
  maxPerCall?: number;
}

interface RuleCounter {
  rule: FaultRule;
  seen: number;
  fired: number;
  /** How often this rule faulted each call so far, by invocation id. */
  faultedCalls: Map<string, number>;
}

/** The rules in force, with how often each has matched and fired. */
export class FaultPlan {
  private readonly counters: RuleCounter[];

  constructor(rules: readonly FaultRule[] = []) {
    for (const rule of rules) validateRule(rule);
    this.counters = rules.map((rule) => ({
      rule,
      seen: 0,
      fired: 0,
      faultedCalls: new Map<string, number>(),
    }));
  }

  /**
   * Counts the request against every matching rule and returns the first rule that fires for it.
   * `invocationId` is the SDK's amz-sdk-invocation-id header (the same on every attempt of one call).
   */
  next(
    service: AwsService,
    action: string,
    invocationId?: string,
    where: { account?: string; region?: string } = {},
  ): FaultRule | undefined {
    let firing: FaultRule | undefined;
    for (const counter of this.counters) {
      const { rule } = counter;
      if ((rule.service && rule.service !== service) || (rule.action && rule.action !== action)) continue;
      if ((rule.account && rule.account !== where.account) || (rule.region && rule.region !== where.region))
        continue;
      counter.seen += 1;
      const due = counter.seen % (rule.every ?? 1) === 0;
      const allowed = rule.times === undefined || counter.fired < rule.times;
      const cap = rule.maxPerCall ?? (rule.oncePerCall ? 1 : undefined);
      const faulted = invocationId === undefined ? 0 : (counter.faultedCalls.get(invocationId) ?? 0);
      const spared = cap !== undefined && invocationId !== undefined && faulted >= cap;
      if (!firing && due && allowed && !spared) {
        counter.fired += 1;
        if (cap !== undefined && invocationId !== undefined)
          counter.faultedCalls.set(invocationId, faulted + 1);
        firing = rule;
      }
    }
    return firing;
  }
}

function validateRule(rule: FaultRule): void {
  if (rule.every !== undefined && (!Number.isInteger(rule.every) || rule.every < 1)) {
    throw new Error(`fake-aws: FaultRule.every must be a positive integer, got ${rule.every}`);
  }
  if (rule.maxPerCall !== undefined && (!Number.isInteger(rule.maxPerCall) || rule.maxPerCall < 1)) {
    throw new Error(`fake-aws: FaultRule.maxPerCall must be a positive integer, got ${rule.maxPerCall}`);
  }
  if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 0)) {
    throw new Error(`fake-aws: FaultRule.times must be a non-negative integer, got ${rule.times}`);
  }
}

type ErrorKind = Extract<FaultKind, "access-denied" | "expired-token" | "throttle" | "http-500" | "http-503">;

export function isErrorKind(kind: FaultKind): kind is ErrorKind {
  return (
    kind === "access-denied" ||
    kind === "expired-token" ||
    kind === "throttle" ||
    kind === "http-500" ||
    kind === "http-503"
  );
}

function text(params: Record<string, unknown>, key: string): string | undefined {
  const value = params[key];
  return typeof value === "string" ? value : undefined;
}

/** The resource an access-denied message names, as IAM and ECS spell it. */
function deniedResource(
  state: FakeState,
  service: AwsService,
  params: Record<string, unknown>,
): string | undefined {
  if (service === "iam") {
    const policyArn = text(params, "PolicyArn") ?? text(params, "PolicySourceArn");
    if (policyArn) return policyArn;
    const roleName = text(params, "RoleName");
    return roleName ? `arn:aws:iam::${state.accountId}:role/${roleName}` : undefined;
  }
  if (service === "ecs") {
    const cluster = text(params, "cluster");
    if (cluster?.startsWith("arn:")) return cluster;
    return `arn:aws:ecs:${state.region}:${state.accountId}:cluster/${cluster ?? "default"}`;
  }
  return undefined;
}

function accessDeniedMessage(
  state: FakeState,
  service: AwsService,
  action: string,
  params: Record<string, unknown>,
): string {
  // The service ids double as IAM action prefixes (iam:GetRole, ecs:ListTasks, cloudtrail:LookupEvents, …).
  const permission = `${service}:${action}`;
  const resource = deniedResource(state, service, params);
  const onResource = resource ? ` on resource: ${resource}` : "";
  const message =
    `User: ${state.caller.arn} is not authorized to perform: ${permission}${onResource} ` +
    `because no identity-based policy allows the ${permission} action`;
  return service === "ec2" ? `You are not authorized to perform this operation. ${message}` : message;
}

/** The error each service really answers for the fault: code, HTTP status and message. */
export function faultError(
  kind: ErrorKind,
  state: FakeState,
  service: AwsService,
  action: string,
  params: Record<string, unknown>,
): AwsError {
  const family =
    service === "iam" || service === "sts" || service === "cloudformation"
      ? "query"
      : service === "ec2"
        ? "ec2"
        : "json";
  switch (kind) {
    case "access-denied": {
      const message = accessDeniedMessage(state, service, action, params);
      if (family === "query") return new AwsError("AccessDenied", message, 403);
      if (family === "ec2") return new AwsError("UnauthorizedOperation", message, 403);
      return new AwsError("AccessDeniedException", message, 400);
    }
    case "expired-token":
      // What each service answers a request signed with a session token past its expiry.
      if (family === "query")
        return new AwsError("ExpiredToken", "The security token included in the request is expired", 403);
      if (family === "ec2") return new AwsError("RequestExpired", "Request has expired.", 400);
      return new AwsError(
        "ExpiredTokenException",
        "The security token included in the request is expired",
        400,
      );
    case "throttle":
      if (family === "query") return new AwsError("Throttling", "Rate exceeded", 400);
      if (family === "ec2") return new AwsError("RequestLimitExceeded", "Request limit exceeded.", 503);
      return new AwsError("ThrottlingException", "Rate exceeded", 400);
    case "http-500":
      if (service === "iam") return new AwsError("ServiceFailure", "An internal error occurred.", 500);
      if (service === "ecs")
        return new AwsError("ServerException", "Service Unavailable. Please try again later.", 500);
      if (family === "ec2") return new AwsError("InternalError", "An internal error has occurred", 500);
      return new AwsError("InternalFailure", "An internal error occurred.", 500);
    case "http-503":
      if (family === "ec2")
        return new AwsError("Unavailable", "The server is overloaded and cannot handle the request.", 503);
      return new AwsError("ServiceUnavailable", "Service is unavailable. Please try again later.", 503);
  }
}
