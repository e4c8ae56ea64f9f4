import { STSClient } from "@aws-sdk/client-sts";

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
