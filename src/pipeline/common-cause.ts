import type { FactError, Facts } from "../facts/types.ts";
import type { CommonCause, CommonCauseKind } from "../report/types.ts";

/**
 * When every AWS call of a run failed for one reason (no credentials, expired or rejected credentials, AWS out of
 * reach, every read denied), the report says so once, at the top, with the fix, instead of leaving a person to read
 * the same error in every finding. Detected from the facts' errors, so a snapshot taken without credentials says it
 * too; the findings stay unknown (exit 3): this explains them, it decides nothing.
 */

const EXPIRED = new Set(["ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"]);
const REJECTED = new Set([
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "AuthFailure",
  "SignatureDoesNotMatch",
  "InvalidSignatureException",
  "IncompleteSignature",
]);
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "TimeoutError",
]);
const DENIED = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"]);

function kindOf(error: FactError): CommonCauseKind | undefined {
  if (error.code === "CredentialsProviderError" || /could not load credentials/i.test(error.message))
    // An SSO or web-identity session that ran out is a provider error too, and says "expired".
    return /expired/i.test(error.message) ? "expired-credentials" : "no-credentials";
  if (EXPIRED.has(error.code)) return "expired-credentials";
  if (REJECTED.has(error.code)) return "rejected-credentials";
  if (UNREACHABLE.has(error.code)) return "unreachable-endpoint";
  if (DENIED.has(error.code)) return "access-denied";
  return undefined;
}

/** Whether a record is a fact: a call's outcome, `ok` with its value or its error. */
function isFact(record: Record<string, unknown>): boolean {
  return typeof record.ok === "boolean" && ("value" in record || "error" in record);
}

/**
 * Every fact in a tree, walked once: the errors of the calls that failed (in document order), until a call that
 * succeeded is found, which settles that there is no common cause. A fact that holds other facts is a list the
 * collector made (the clusters named with --cluster), not evidence that a call succeeded. One pass, bottom-up:
 * whether a value holds a fact comes back from visiting it, so no subtree is walked twice.
 */
class Outcomes {
  succeeded = false;
  readonly errors: FactError[] = [];

  /** Visits `value`; returns whether it holds a fact (itself included). Stops early once a call succeeded. */
  visit(value: unknown): boolean {
    if (!value || typeof value !== "object") return false;
    if (Array.isArray(value)) {
      let holds = false;
      for (const item of value) {
        if (this.visit(item)) holds = true;
        if (this.succeeded) return holds;
      }
      return holds;
    }
    const record = value as Record<string, unknown>;
    if (record.ok === false && record.error && typeof record.error === "object")
      this.errors.push(record.error as FactError);
    let holds = isFact(record);
    let valueHoldsFacts = false;
    for (const key of Object.keys(record)) {
      const childHolds = this.visit(record[key]);
      if (this.succeeded) return true;
      if (childHolds) {
        holds = true;
        if (key === "value") valueHoldsFacts = true;
      }
    }
    if (record.ok === true && "value" in record && !valueHoldsFacts) this.succeeded = true;
    return holds;
  }
}

/**
 * Whether any call in the tree succeeded, and (when none did) every failed call's error in document order. When
 * `succeeded` is true, `errors` is only what the walk had seen by then.
 */
export function callOutcomes(value: unknown): { succeeded: boolean; errors: FactError[] } {
  const walk = new Outcomes();
  walk.visit(value);
  return { succeeded: walk.succeeded, errors: walk.errors };
}

/** The host a network error names ("connect ECONNREFUSED 127.0.0.1:9", "getaddrinfo ENOTFOUND iam.example"). */
function hostIn(message: string): string | undefined {
  return /(?:ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT)\s+(\S+)/.exec(message)?.[1];
}

function explain(kind: CommonCauseKind, first: FactError): { summary: string; fix: string } {
  switch (kind) {
    case "no-credentials":
      return {
        summary: "No AWS credentials found",
        fix:
          "set AWS_PROFILE (or --profile) to a profile in ~/.aws/config, or AWS_ACCESS_KEY_ID and " +
          "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN); on ECS give the task a task role, on EKS a service account " +
          "role, in GitHub Actions run aws-actions/configure-aws-credentials first",
      };
    case "expired-credentials":
      return {
        summary: "The AWS credentials have expired",
        fix:
          "get fresh ones (aws sso login --profile NAME, or assume the role again) and run again; in CI, make the " +
          "session outlast the job",
      };
    case "rejected-credentials":
      return {
        summary: `AWS rejected the credentials (${first.code})`,
        fix:
          "check the access key (aws sts get-caller-identity with the same environment): it may be deleted, " +
          "mistyped, or of another partition, and AWS_SESSION_TOKEN must go with temporary keys",
      };
    case "unreachable-endpoint": {
      const host = hostIn(first.message);
      return {
        summary: `AWS could not be reached${host ? ` (${host})` : ""}`,
        fix:
          "check the network and the Region, a proxy (HTTPS_PROXY, NO_PROXY), and AWS_ENDPOINT_URL or " +
          "AWS_ENDPOINT_URL_<SERVICE> if set",
      };
    }
    case "access-denied":
      return {
        summary: "Every read was denied",
        fix:
          "give the identity running ecs-preflight the read-only permissions it needs (README: Permissions); " +
          "check that the intended role or profile is the one in use (aws sts get-caller-identity)",
      };
  }
}

/** The one reason every AWS call of the run failed, if there is one; undefined when any call succeeded. */
export function commonCause(facts: Facts): CommonCause | undefined {
  const { succeeded, errors } = callOutcomes(facts);
  const [first] = errors;
  if (succeeded || !first) return undefined;
  const kind = kindOf(first);
  if (!kind || errors.some((e) => kindOf(e) !== kind)) return undefined;
  const { summary, fix } = explain(kind, first);
  return { kind, code: first.code, message: first.message, failedCalls: errors.length, summary, fix };
}
