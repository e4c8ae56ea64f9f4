import type { AwsError } from "./errors.ts";
import type { Reply } from "./reply.ts";
import { renderXml, XML_DECLARATION, type XmlFields } from "./xml.ts";

/**
 * The AWS query protocols: form-encoded requests (`Action=…&Version=…&Name.member.1=…`) answered with XML.
 * IAM and STS ("awsQuery") wrap results in `<OpResult>` and list items in `<member>`; EC2 ("ec2Query") has no result
 * wrapper, lists in `<item>`, a lower-case `<requestId>`, and its own error envelope.
 */

export type QueryParams = Record<string, string>;

export type QueryService = "iam" | "sts" | "ec2" | "cloudformation";

export const QUERY_NAMESPACES: Record<QueryService, string> = {
  iam: "https://iam.amazonaws.com/doc/2010-05-08/",
  sts: "https://sts.amazonaws.com/doc/2011-06-15/",
  ec2: "http://ec2.amazonaws.com/doc/2016-11-15/",
  cloudformation: "http://cloudformation.amazonaws.com/doc/2010-05-15/",
};

export const QUERY_VERSIONS: Record<QueryService, string> = {
  iam: "2010-05-08",
  sts: "2011-06-15",
  ec2: "2016-11-15",
  cloudformation: "2010-05-15",
};

/** The services of the awsQuery protocol (`<OpResult>` wrapper, `<member>` lists). */
export type AwsQueryService = "iam" | "sts" | "cloudformation";

export interface QueryRequest {
  action?: string;
  version?: string;
  params: QueryParams;
}

export function parseQueryRequest(form: string): QueryRequest {
  const params: QueryParams = {};
  for (const [key, value] of new URLSearchParams(form)) params[key] = value;
  const { Action: action, Version: version, ...rest } = params;
  return { action, version, params: rest };
}

/** Values of a query list, in index order: `prefix.1`, `prefix.2`, … (IAM lists pass "Name.member"). */
export function queryList(params: QueryParams, prefix: string): string[] {
  const pattern = new RegExp(`^${prefix.replace(/\./g, "\\.")}\\.(\\d+)$`);
  return Object.entries(params)
    .flatMap(([key, value]) => {
      const match = pattern.exec(key);
      return match ? [{ index: Number(match[1]), value }] : [];
    })
    .sort((a, b) => a.index - b.index)
    .map((entry) => entry.value);
}

export interface QueryFilter {
  name: string;
  values: string[];
}

/** EC2 `Filter.N.Name` / `Filter.N.Value.M`. */
export function ec2Filters(params: QueryParams): QueryFilter[] {
  const indexes = new Set<number>();
  for (const key of Object.keys(params)) {
    const match = /^Filter\.(\d+)\./.exec(key);
    if (match) indexes.add(Number(match[1]));
  }
  return [...indexes]
    .sort((a, b) => a - b)
    .map((n) => ({ name: params[`Filter.${n}.Name`] ?? "", values: queryList(params, `Filter.${n}.Value`) }));
}

function requestIdHeaders(requestId: string): Record<string, string> {
  return { "content-type": "text/xml", "x-amzn-requestid": requestId };
}

/** `<OpResponse xmlns><OpResult>…</OpResult><ResponseMetadata><RequestId>…` (IAM, STS, CloudFormation). */
export function awsQueryReply(
  service: AwsQueryService,
  action: string,
  result: XmlFields,
  requestId: string,
): Reply {
  const inner =
    renderXml(`${action}Result`, result, "member") +
    renderXml("ResponseMetadata", { RequestId: requestId }, "member");
  const body = `<${action}Response xmlns="${QUERY_NAMESPACES[service]}">${inner}</${action}Response>`;
  return { status: 200, headers: requestIdHeaders(requestId), body: XML_DECLARATION + body };
}

/** `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>` (IAM, STS, CloudFormation). */
export function awsQueryErrorReply(service: AwsQueryService, error: AwsError, requestId: string): Reply {
  const inner =
    renderXml("Error", { Type: error.type, Code: error.code, Message: error.message }, "member") +
    renderXml("RequestId", requestId, "member");
  const body = `<ErrorResponse xmlns="${QUERY_NAMESPACES[service]}">${inner}</ErrorResponse>`;
  return { status: error.status, headers: requestIdHeaders(requestId), body: XML_DECLARATION + body };
}

/** `<OpResponse xmlns><requestId/>…fields…</OpResponse>` (EC2). */
export function ec2Reply(action: string, result: XmlFields, requestId: string): Reply {
  const inner =
    renderXml("requestId", requestId, "item") +
    Object.entries(result)
      .map(([name, value]) => renderXml(name, value, "item"))
      .join("");
  const body = `<${action}Response xmlns="${QUERY_NAMESPACES.ec2}">${inner}</${action}Response>`;
  return { status: 200, headers: requestIdHeaders(requestId), body: XML_DECLARATION + body };
}

/** `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>` (EC2). */
export function ec2ErrorReply(error: AwsError, requestId: string): Reply {
  const inner =
    renderXml("Errors", [{ Code: error.code, Message: error.message }], "Error") +
    renderXml("RequestID", requestId, "item");
  return {
    status: error.status,
    headers: requestIdHeaders(requestId),
    body: `${XML_DECLARATION}<Response>${inner}</Response>`,
  };
}
