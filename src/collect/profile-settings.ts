import { STSClient } from "@aws-sdk/client-sts";
import { loadConfig } from "@smithy/core/config";

/** The Region a profile's shared config names, read the SDK's own way; undefined when it names none. */
export async function profileRegion(profile: string | undefined): Promise<string | undefined> {
  const probe = new STSClient(profile ? { profile } : {});
  try {
    return await probe.config.region();
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}

/** What a profile's shared config says of retries (`max_attempts`, `retry_mode`), as written; none when absent. */
export interface ProfileRetry {
  maxAttempts?: string;
  retryMode?: string;
}

/**
 * The profile's `max_attempts` and `retry_mode` (~/.aws/config, or AWS_CONFIG_FILE), read with the SDK's own config
 * loader: the AWS CLI and the SDKs honour them below the flag and the environment variables. A file that cannot be
 * read says nothing (the SDK would not fail on it either).
 */
export async function profileRetry(profile: string | undefined): Promise<ProfileRetry> {
  const read = (key: string) =>
    loadConfig<string | undefined>(
      {
        environmentVariableSelector: () => undefined,
        configFileSelector: (p) => p[key]?.trim() || undefined,
        default: undefined,
      },
      profile ? { profile } : {},
    )().catch(() => undefined);
  const [maxAttempts, retryMode] = await Promise.all([read("max_attempts"), read("retry_mode")]);
  return { ...(maxAttempts ? { maxAttempts } : {}), ...(retryMode ? { retryMode } : {}) };
}
