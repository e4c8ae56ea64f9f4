import { type AwsSettings, clientConfig } from "./clients.ts";

/**
 * The report bucket: PutObject of a report (`--output s3://…`, the tool's one write besides StopTask, to the user's
 * own bucket) and, for `merge`, ListObjectsV2 (every page) and GetObject under a prefix. The S3 client loads only here.
 */

export interface S3Location {
  bucket: string;
  key: string;
}

/** `s3://bucket/key` (key may be empty, or a prefix ending in /). */
export function parseS3Url(url: string): S3Location | undefined {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  return match ? { bucket: match[1] ?? "", key: match[2] ?? "" } : undefined;
}

async function s3Client(settings: AwsSettings) {
  const { S3Client } = await import("@aws-sdk/client-s3");
  // A bucket in another Region answers 301: the SDK follows it. AWS_ENDPOINT_URL_S3 points at a private endpoint.
  return new S3Client({ ...clientConfig(settings), followRegionRedirects: true });
}

export async function putReport(settings: AwsSettings, at: S3Location, body: string, contentType: string) {
  const { PutObjectCommand } = await import("@aws-sdk/client-s3");
  const client = await s3Client(settings);
  try {
    await client.send(
      new PutObjectCommand({ Bucket: at.bucket, Key: at.key, Body: body, ContentType: contentType }),
    );
  } finally {
    client.destroy();
  }
}

/** Every object under the prefix that ends in .json, with its body, in key order. */
export async function readReports(
  settings: AwsSettings,
  at: S3Location,
): Promise<{ key: string; body: string }[]> {
  const { GetObjectCommand, paginateListObjectsV2 } = await import("@aws-sdk/client-s3");
  const client = await s3Client(settings);
  try {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client }, { Bucket: at.bucket, Prefix: at.key }))
      for (const object of page.Contents ?? []) if (object.Key?.endsWith(".json")) keys.push(object.Key);
    keys.sort();
    const out: { key: string; body: string }[] = [];
    for (const key of keys) {
      const got = await client.send(new GetObjectCommand({ Bucket: at.bucket, Key: key }));
      out.push({ key, body: (await got.Body?.transformToString("utf8")) ?? "" });
    }
    return out;
  } finally {
    client.destroy();
  }
}

/** One object's body (merge --expect reads the targets list a fan-out started from). */
export async function readObject(settings: AwsSettings, at: S3Location): Promise<string> {
  const { GetObjectCommand } = await import("@aws-sdk/client-s3");
  const client = await s3Client(settings);
  try {
    const got = await client.send(new GetObjectCommand({ Bucket: at.bucket, Key: at.key }));
    return (await got.Body?.transformToString("utf8")) ?? "";
  } finally {
    client.destroy();
  }
}
