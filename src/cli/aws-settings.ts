import type { AwsSettings } from "../collect/clients.ts";
import { InputError } from "../errors.ts";

export interface AwsFlags {
  region?: string;
  profile?: string;
  maxAttempts?: number;
  /** Whole-run deadline, ms. */
  timeout?: number;
  readTimeout?: number;
  connectTimeout?: number;
}

/** An abort signal that fires when the run's --timeout passes, saying so in every error it causes. */
export function runDeadline(ms: number): AbortSignal {
  const controller = new AbortController();
  const label = ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
  setTimeout(
    () => controller.abort(new Error(`--timeout ${label} passed before this call finished`)),
    ms,
  ).unref();
  return controller.signal;
}

/**
 * Resolves the Region the AWS way (flag, AWS_REGION, AWS_DEFAULT_REGION, then the profile's config) before any
 * call, so a missing Region is one clear usage error rather than a failure on every fact.
 */
export async function resolveAwsSettings(
  flags: AwsFlags,
  env: NodeJS.ProcessEnv,
  overrides: Partial<AwsSettings> = {},
): Promise<AwsSettings> {
  const profile = flags.profile ?? env.AWS_PROFILE;
  let region = flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    const { profileRegion } = await import("../collect/profile-region.ts");
    region = await profileRegion(profile);
  }
  if (!region) {
    throw new InputError("no AWS Region: pass --region, set AWS_REGION, or set region in the AWS profile");
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new InputError(`--region: expected a Region such as us-east-1, got "${region}"`);
  }
  return {
    region,
    ...(profile ? { profile } : {}),
    ...(flags.maxAttempts ? { maxAttempts: flags.maxAttempts } : {}),
    ...(flags.readTimeout ? { requestTimeoutMs: flags.readTimeout } : {}),
    ...(flags.connectTimeout ? { connectTimeoutMs: flags.connectTimeout } : {}),
    ...(flags.timeout ? { signal: runDeadline(flags.timeout) } : {}),
    ...overrides,
  };
}
