import type { AwsSettings } from "../collect/clients.ts";
import type { ProfileRetry } from "../collect/profile-settings.ts";
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
 * Retries the SDK's and the AWS CLI's way: --max-attempts, then AWS_MAX_ATTEMPTS, then the profile's `max_attempts`;
 * AWS_RETRY_MODE, then the profile's `retry_mode`. The strategy is built by collect/retry.ts, so the values are
 * checked here, where a bad one is a usage error naming where it came from.
 */
export function retrySettings(
  flags: Pick<AwsFlags, "maxAttempts">,
  env: NodeJS.ProcessEnv,
  profile: ProfileRetry = {},
  profileName = "default",
): Pick<AwsSettings, "maxAttempts" | "retryMode"> {
  const settings: Pick<AwsSettings, "maxAttempts" | "retryMode"> = {};
  const inProfile = (key: string) => `${key} in the AWS config file's profile "${profileName}"`;
  const envAttempts = env.AWS_MAX_ATTEMPTS?.trim();
  const attempts = envAttempts
    ? { value: envAttempts, from: "AWS_MAX_ATTEMPTS" }
    : profile.maxAttempts
      ? { value: profile.maxAttempts, from: inProfile("max_attempts") }
      : undefined;
  if (flags.maxAttempts) settings.maxAttempts = flags.maxAttempts;
  else if (attempts) {
    // The range --max-attempts takes.
    const n = attempts.value;
    if (!/^\d+$/.test(n) || Number(n) < 1 || Number(n) > 20)
      throw new InputError(`${attempts.from}: expected a whole number from 1 to 20, got "${n}"`);
    settings.maxAttempts = Number(n);
  }
  const envMode = env.AWS_RETRY_MODE?.trim();
  const mode = envMode
    ? { value: envMode, from: "AWS_RETRY_MODE" }
    : profile.retryMode
      ? { value: profile.retryMode, from: inProfile("retry_mode") }
      : undefined;
  if (mode) {
    // The AWS CLI's `legacy` (its older retry handler) has no strategy of its own in the JavaScript SDK: standard.
    if (mode.value !== "standard" && mode.value !== "adaptive" && mode.value !== "legacy")
      throw new InputError(`${mode.from}: expected standard, adaptive or legacy, got "${mode.value}"`);
    settings.retryMode = mode.value === "adaptive" ? "adaptive" : "standard";
  }
  return settings;
}

/** The profile's retry settings, read only when the flag and the variables leave something to it. */
async function profileRetryFor(
  flags: Pick<AwsFlags, "maxAttempts">,
  env: NodeJS.ProcessEnv,
  profile: string | undefined,
): Promise<ProfileRetry> {
  const attemptsSet = Boolean(flags.maxAttempts || env.AWS_MAX_ATTEMPTS?.trim());
  if (attemptsSet && env.AWS_RETRY_MODE?.trim()) return {};
  const { profileRetry } = await import("../collect/profile-settings.ts");
  return profileRetry(profile);
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
    const { profileRegion } = await import("../collect/profile-settings.ts");
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
    ...retrySettings(flags, env, await profileRetryFor(flags, env, profile), profile ?? "default"),
    ...(flags.readTimeout ? { requestTimeoutMs: flags.readTimeout } : {}),
    ...(flags.connectTimeout ? { connectTimeoutMs: flags.connectTimeout } : {}),
    ...(flags.timeout ? { signal: runDeadline(flags.timeout), deadlineAt: Date.now() + flags.timeout } : {}),
    ...overrides,
  };
}
