import type { Fact, FactError } from "../facts/types.ts";

interface SdkErrorShape {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The AWS error code of an SDK error ("AccessDenied", "NoSuchEntity", "ThrottlingException", "ECONNRESET"). */
export function errorCode(err: unknown): string {
  const e = (err ?? {}) as SdkErrorShape;
  // An abort is only ever ours: the run's --timeout (the SDK names it AbortError).
  if (e.name === "AbortError" || e.name === "RunTimeout") return "RunTimeout";
  const code = e.Code ?? (typeof e.code === "string" ? e.code : undefined) ?? e.name ?? "Error";
  // The SDK names modelled IAM errors "NoSuchEntityException" for the wire code "NoSuchEntity".
  return code === "NoSuchEntityException" ? "NoSuchEntity" : code;
}

export function toFactError(api: string, err: unknown): FactError {
  const e = (err ?? {}) as SdkErrorShape & { cause?: unknown };
  // The SDK wraps our abort reason ("--timeout 30s passed …") as the cause of a generic "Request aborted".
  const said = errorCode(err) === "RunTimeout" && e.cause instanceof Error ? e.cause.message : e.message;
  const message = (said ?? String(err)).replace(/\s+/g, " ").trim().slice(0, 500);
  return { api, code: errorCode(err), message: message || errorCode(err) };
}

/** Runs one AWS read and keeps its value or the error that hid it: collection never throws for AWS errors. */
export async function gather<T>(api: string, read: () => Promise<T>): Promise<Fact<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (err) {
    return { ok: false, error: toFactError(api, err) };
  }
}

export function isNoSuchEntity(err: unknown): boolean {
  return errorCode(err) === "NoSuchEntity";
}
