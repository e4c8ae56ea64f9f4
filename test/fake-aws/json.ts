import { AwsError } from "./errors.ts";
import type { Reply } from "./reply.ts";

/** The awsJson1_1 protocol (ECS, CloudTrail): a JSON body in, JSON out, errors as `{"__type","message"}`. */

export type JsonParams = Record<string, unknown>;

const CONTENT_TYPE = "application/x-amz-json-1.1";

export function parseJsonParams(body: string): JsonParams {
  if (body.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AwsError("SerializationException", "Start of structure or map found where not expected.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new AwsError("SerializationException", "Start of structure or map found where not expected.");
  }
  return parsed as JsonParams;
}

function wrongType(key: string): AwsError {
  return new AwsError("SerializationException", `Unexpected value type in payload for member '${key}'.`);
}

export function optString(params: JsonParams, key: string): string | undefined {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw wrongType(key);
  return value;
}

export function optInt(params: JsonParams, key: string): number | undefined {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw wrongType(key);
  return value;
}

/** Epoch seconds as the JSON protocols send timestamps (fractions allowed). */
export function optTimestamp(params: JsonParams, key: string): number | undefined {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw wrongType(key);
  return value;
}

export function optStringList(params: JsonParams, key: string): string[] | undefined {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) throw wrongType(key);
  return value as string[];
}

export function optObjectList(params: JsonParams, key: string): JsonParams[] | undefined {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === "object" && item !== null)) {
    throw wrongType(key);
  }
  return value as JsonParams[];
}

export function jsonReply(result: object, requestId: string): Reply {
  return {
    status: 200,
    headers: { "content-type": CONTENT_TYPE, "x-amzn-requestid": requestId },
    body: JSON.stringify(result),
  };
}

export function jsonErrorReply(error: AwsError, requestId: string): Reply {
  return {
    status: error.status,
    headers: { "content-type": CONTENT_TYPE, "x-amzn-requestid": requestId },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}

/** ISO strings (how a test writes times) to epoch seconds (how the JSON protocols send them). */
export function epochSeconds(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : ms / 1000;
}
