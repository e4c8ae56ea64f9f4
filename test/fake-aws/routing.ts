import type { IncomingMessage } from "node:http";
import type { AwsService } from "./account.ts";
import { AwsError } from "./errors.ts";
import { parseJsonParams } from "./json.ts";
import { parseQueryRequest, QUERY_VERSIONS, type QueryService } from "./query.ts";
import { routeS3 } from "./s3.ts";

/**
 * Which service and operation a request is for. JSON protocols name it in X-Amz-Target; the query protocols name
 * the operation in the form body and the service in the SigV4 credential scope (signatures are not checked).
 */

const ECS_TARGET = "AmazonEC2ContainerServiceV20141113.";
/** The JS SDK sends the short CloudTrail prefix, botocore the long one. */
const CLOUDTRAIL_TARGETS = [
  "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.",
  "CloudTrail_20131101.",
];
const ORGANIZATIONS_TARGET = "AWSOrganizationsV20161128.";
const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/;

export interface Routed {
  service: AwsService;
  action: string;
  params: Record<string, unknown>;
  /** Set when the body itself could not be read as the protocol requires. */
  parseError?: AwsError;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The SDK's call identity: one invocation id for all attempts, and which attempt this is (`attempt=2; max=3`). */
export function sdkInvocation(req: IncomingMessage): { invocationId?: string; attempt?: number } {
  const attempt = /attempt=(\d+)/.exec(header(req, "amz-sdk-request") ?? "")?.[1];
  return {
    invocationId: header(req, "amz-sdk-invocation-id"),
    attempt: attempt === undefined ? undefined : Number(attempt),
  };
}

/** Which service and operation a request is for, from X-Amz-Target or from the query form and SigV4 scope. */
export function route(req: IncomingMessage, body: string): Routed | undefined {
  const target = header(req, "x-amz-target");
  if (target) {
    let service: AwsService | undefined;
    let action = "";
    if (target.startsWith(ECS_TARGET)) {
      service = "ecs";
      action = target.slice(ECS_TARGET.length);
    } else if (target.startsWith(ORGANIZATIONS_TARGET)) {
      service = "organizations";
      action = target.slice(ORGANIZATIONS_TARGET.length);
    } else {
      const prefix = CLOUDTRAIL_TARGETS.find((candidate) => target.startsWith(candidate));
      if (prefix) {
        service = "cloudtrail";
        action = target.slice(prefix.length);
      }
    }
    if (!service) return undefined;
    try {
      return { service, action, params: parseJsonParams(body) };
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      return { service, action, params: {}, parseError: error };
    }
  }
  if (CREDENTIAL_SCOPE.exec(header(req, "authorization") ?? "")?.[1] === "s3") {
    const s3 = routeS3(req, body);
    return s3 ? { service: "s3", ...s3 } : undefined;
  }
  const query = new URL(req.url ?? "/", "http://fake").search.slice(1);
  const form = parseQueryRequest(req.method === "GET" ? query : body);
  if (!form.action) return undefined;
  const service = queryService(header(req, "authorization"), form.version);
  return service ? { service, action: form.action, params: form.params } : undefined;
}

/** The SigV4 credential scope names the service; unsigned requests fall back on the API version. */
function queryService(
  authorization: string | undefined,
  version: string | undefined,
): QueryService | undefined {
  const scoped = authorization ? CREDENTIAL_SCOPE.exec(authorization)?.[1] : undefined;
  if (scoped === "iam" || scoped === "sts" || scoped === "ec2" || scoped === "cloudformation") return scoped;
  if (scoped) return undefined;
  const byVersion = (Object.keys(QUERY_VERSIONS) as QueryService[]).find(
    (name) => QUERY_VERSIONS[name] === version,
  );
  return byVersion;
}
