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
 * Retries the SDK's way: AWS_MAX_ATTEMPTS and AWS_RETRY_MODE (the SDK's own variables; --max-attempts wins). The
 * strategy is built by collect/retry.ts, so the variables are read here, where a bad one is a usage error.
 */
export function retryFromEnv(
  flags: Pick<AwsFlags, "maxAttempts">,
  env: NodeJS.ProcessEnv,
): Pick<AwsSettings, "maxAttempts" | "retryMode"> {
  const settings: Pick<AwsSettings, "maxAttempts" | "retryMode"> = {};
  const attempts = env.AWS_MAX_ATTEMPTS?.trim();
  if (flags.maxAttempts) settings.maxAttempts = flags.maxAttempts;
  else if (attempts) {
    // The range --max-attempts takes.
    if (!/^\d+$/.test(attempts) || Number(attempts) < 1 || Number(attempts) > 20)
      throw new InputError(`AWS_MAX_ATTEMPTS: expected a whole number from 1 to 20, got "${attempts}"`);
    settings.maxAttempts = Number(attempts);
  }
  const mode = env.AWS_RETRY_MODE?.trim();
  if (mode) {
    if (mode !== "standard" && mode !== "adaptive")
      throw new InputError(`AWS_RETRY_MODE: expected standard or adaptive, got "${mode}"`);
    settings.retryMode = mode;
  }
  return settings;
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
    ...retryFromEnv(flags, env),
    ...(flags.readTimeout ? { requestTimeoutMs: flags.readTimeout } : {}),
    ...(flags.connectTimeout ? { connectTimeoutMs: flags.connectTimeout } : {}),
    ...(flags.timeout ? { signal: runDeadline(flags.timeout), deadlineAt: Date.now() + flags.timeout } : {}),
    ...overrides,
  };
}
