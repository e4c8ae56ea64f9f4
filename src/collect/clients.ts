import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { ECSClient } from "@aws-sdk/client-ecs";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { RetryStrategyV2 } from "@smithy/types";

/**
 * AWS settings, the AWS way: --region / AWS_REGION, --profile / AWS_PROFILE, the default credential chain,
 * and endpoint overrides through AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> (read by the SDK itself).
 * Retries are the SDK's own (standard mode, AWS_MAX_ATTEMPTS / --max-attempts); nothing is stacked on top.
 */
export interface AwsSettings {
  region: string;
  profile?: string;
  maxAttempts?: number;
  /** Socket timeout for one HTTP answer, ms. */
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Tests replace the back-off (zero delay); production keeps the SDK's standard strategy. */
  retryStrategy?: RetryStrategyV2;
}

export interface AwsClients {
  iam: IAMClient;
  sts: STSClient;
  ecs: ECSClient;
  cloudtrail: CloudTrailClient;
  /** EC2 adds ≈40 ms of start-up even bundled: loaded only when a rule needs volume state. */
  ec2(): Promise<import("@aws-sdk/client-ec2").EC2Client>;
  destroy(): void;
}

export function createClients(settings: AwsSettings): AwsClients {
  const common = {
    region: settings.region,
    ...(settings.profile ? { profile: settings.profile } : {}),
    ...(settings.maxAttempts ? { maxAttempts: settings.maxAttempts } : {}),
    ...(settings.retryStrategy ? { retryStrategy: settings.retryStrategy } : {}),
    requestHandler: new NodeHttpHandler({
      connectionTimeout: settings.connectTimeoutMs ?? 5_000,
      requestTimeout: settings.requestTimeoutMs ?? 20_000,
    }),
  };
  // IAM is global: the SDK's endpoint rules map any region of a partition to that partition's IAM endpoint.
  const iam = new IAMClient(common);
  const sts = new STSClient(common);
  const ecs = new ECSClient(common);
  const cloudtrail = new CloudTrailClient(common);
  let ec2: Promise<import("@aws-sdk/client-ec2").EC2Client> | undefined;
  return {
    iam,
    sts,
    ecs,
    cloudtrail,
    ec2() {
      ec2 ??= import("@aws-sdk/client-ec2").then((m) => new m.EC2Client(common));
      return ec2;
    },
    destroy() {
      for (const c of [iam, sts, ecs, cloudtrail]) c.destroy();
      void ec2?.then((c) => c.destroy());
    },
  };
}
