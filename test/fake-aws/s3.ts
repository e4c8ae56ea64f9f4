import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { AwsError } from "./errors.ts";
import { decodeToken, effectivePageSize, encodeToken, pageOf } from "./paging.ts";
import type { Reply } from "./reply.ts";
import type { FakeState } from "./state.ts";
import type { FakeWorld } from "./world.ts";
import { escapeXml, XML_DECLARATION } from "./xml.ts";

/**
 * S3 (REST-XML), path-style (`/bucket/key`): PutObject, GetObject, ListObjectsV2 (prefix, max-keys,
 * continuation-token). Bodies sent `aws-chunked` (the SDK's streaming checksums) are decoded.
 */

const NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

export interface S3Params extends Record<string, unknown> {
  bucket: string;
  key: string;
  query: Record<string, string>;
  body?: string;
}

export function routeS3(
  req: IncomingMessage,
  body: string,
): { action: string; params: S3Params } | undefined {
  const url = new URL(req.url ?? "/", "http://fake");
  const [, bucket = "", ...rest] = url.pathname.split("/");
  const key = decodeURIComponent(rest.join("/"));
  const query = Object.fromEntries(url.searchParams);
  const params: S3Params = { bucket: decodeURIComponent(bucket), key, query };
  if (req.method === "PUT" && key) {
    const encoding = String(req.headers["content-encoding"] ?? "");
    params.body = encoding.includes("aws-chunked") ? decodeChunked(body) : body;
    return { action: "PutObject", params };
  }
  if (req.method === "GET" && key) return { action: "GetObject", params };
  if (req.method === "GET" && query["list-type"] === "2") return { action: "ListObjectsV2", params };
  return undefined;
}

/** `size;chunk-signature=…\r\ndata\r\n…0\r\ntrailers` to the data. */
function decodeChunked(raw: string): string {
  let out = "";
  let at = 0;
  for (;;) {
    const end = raw.indexOf("\r\n", at);
    if (end < 0) break;
    const size = Number.parseInt(raw.slice(at, end).split(";")[0] ?? "0", 16);
    if (!size) break;
    out += raw.slice(end + 2, end + 2 + size);
    at = end + 2 + size + 2;
  }
  return out;
}

function etag(body: string): string {
  return `"${createHash("md5").update(body).digest("hex")}"`;
}

export function handleS3(_state: FakeState, action: string, params: S3Params, world: FakeWorld): Reply {
  const bucket = world.buckets.get(params.bucket);
  if (!bucket) throw new AwsError("NoSuchBucket", "The specified bucket does not exist", 404);
  const headers = { "content-type": "application/xml" };
  switch (action) {
    case "PutObject":
      bucket.set(params.key, params.body ?? "");
      return { status: 200, headers: { etag: etag(params.body ?? "") }, body: "" };
    case "GetObject": {
      const body = bucket.get(params.key);
      if (body === undefined) throw new AwsError("NoSuchKey", "The specified key does not exist.", 404);
      return { status: 200, headers: { "content-type": "application/json", etag: etag(body) }, body };
    }
    default: {
      const prefix = params.query.prefix ?? "";
      const keys = [...bucket.keys()].filter((k) => k.startsWith(prefix)).sort();
      const asked = params.query["max-keys"] === undefined ? undefined : Number(params.query["max-keys"]);
      const token = params.query["continuation-token"];
      const offset = token === undefined ? 0 : decodeToken(token, ["ListObjectsV2", params.bucket, prefix]);
      if (offset === undefined)
        throw new AwsError("InvalidArgument", "The continuation token provided is incorrect", 400);
      const page = pageOf(keys, offset, effectivePageSize(asked, 1000, _state.pageSize.s3));
      const contents = page.items
        .map(
          (k) =>
            `<Contents><Key>${escapeXml(k)}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>` +
            `<ETag>${escapeXml(etag(bucket.get(k) ?? ""))}</ETag><Size>${Buffer.byteLength(bucket.get(k) ?? "")}</Size>` +
            "<StorageClass>STANDARD</StorageClass></Contents>",
        )
        .join("");
      const next =
        page.next === undefined
          ? ""
          : `<NextContinuationToken>${encodeToken(page.next, ["ListObjectsV2", params.bucket, prefix])}</NextContinuationToken>`;
      const body =
        `${XML_DECLARATION}<ListBucketResult xmlns="${NAMESPACE}"><Name>${escapeXml(params.bucket)}</Name>` +
        `<Prefix>${escapeXml(prefix)}</Prefix><KeyCount>${page.items.length}</KeyCount><MaxKeys>${asked ?? 1000}</MaxKeys>` +
        `<IsTruncated>${page.next !== undefined}</IsTruncated>${contents}${next}</ListBucketResult>`;
      return { status: 200, headers, body };
    }
  }
}

export function s3ErrorReply(error: AwsError, requestId: string): Reply {
  return {
    status: error.status,
    headers: { "content-type": "application/xml", "x-amz-request-id": requestId },
    body: `${XML_DECLARATION}<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message><RequestId>${requestId}</RequestId></Error>`,
  };
}
