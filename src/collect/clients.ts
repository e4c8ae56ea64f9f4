import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { ECSClient } from "@aws-sdk/client-ecs";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { ConfiguredRetryStrategy } from "@smithy/util-retry";
import { type ApiPacing, iamPaceKey, processPacing } from "./api-pacing.ts";
import type { RequestPacer } from "./pacer.ts";
import { runTimeoutError } from "./run-timeout.ts";

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
  /**
   * Replaces the SDK's back-off delays while keeping its retry decisions (tests use zero delay); production keeps
   * the standard strategy, which also honours AWS_MAX_ATTEMPTS and AWS_RETRY_MODE.
   */
  retryBackoffMs?: (attempt: number) => number;
  /** The whole run's deadline (--timeout): when it fires, calls in flight are aborted and new ones fail at once. */
  signal?: AbortSignal;
  /** The account-Region these clients' calls are paced under (api-pacing.ts); default: the profile and Region. */
  paceKey?: string;
  /** Credentials other than the default chain's: an assumed role's session, for a target in another account. */
  credentials?: AwsCredentialIdentityProvider;
  /**
   * The pacers this run waits on instead of the process's: for an embedder (or a test) running independent runs in
   * one process, each paced as its own CLI process would be. The limits stay AWS's; the CLI never sets this.
   */
  pacers?: RunPacers;
}

/** A run's client-side pacing: the API families' token buckets and CloudTrail LookupEvents' 2 a second. */
export interface RunPacers {
  api: ApiPacing;
  lookupEvents: RequestPacer;
}

/** The pacing key of clients whose account STS has not told yet: one set of credentials is one account. */
export function defaultPaceKey(settings: Pick<AwsSettings, "profile" | "region" | "paceKey">): string {
  return settings.paceKey ?? `${settings.profile ?? "default-credentials"}/${settings.region}`;
}

/** Gives every request the run's abort signal: the SDK aborts the socket and does not retry an AbortError. */
function withRunSignal(inner: NodeHttpHandler, signal: AbortSignal | undefined): NodeHttpHandler {
  if (!signal) return inner;
  const handle = inner.handle.bind(inner);
  inner.handle = (request, options) => {
    if (signal.aborted) return Promise.reject(runTimeoutError(signal));
    return handle(request, { ...options, abortSignal: options?.abortSignal ?? signal });
  };
  return inner;
}

export interface AwsClients {
  iam: IAMClient;
  sts: STSClient;
  ecs: ECSClient;
  cloudtrail: CloudTrailClient;
  /** EC2's own chunk (only DescribeVolumes' and DescribeRegions' shapes, ≈15 KB): loaded when a rule needs volume state. */
  ec2(): Promise<import("@aws-sdk/client-ec2").EC2Client>;
  /** Organizations (DescribeOrganization, once a check): loaded only when a rule needs to know about SCPs. */
  organizations(): Promise<import("@aws-sdk/client-organizations").OrganizationsClient>;
  destroy(): void;
}

/** The settings every SDK client of the run shares: Region, profile or credentials, retries, timeouts, deadline. */
export function clientConfig(settings: AwsSettings) {
  return {
    region: settings.region,
    ...(settings.profile ? { profile: settings.profile } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    ...(settings.maxAttempts ? { maxAttempts: settings.maxAttempts } : {}),
    ...(settings.retryBackoffMs
      ? { retryStrategy: new ConfiguredRetryStrategy(settings.maxAttempts ?? 3, settings.retryBackoffMs) }
      : {}),
    requestHandler: withRunSignal(
      new NodeHttpHandler({
        connectionTimeout: settings.connectTimeoutMs ?? 5_000,
        requestTimeout: settings.requestTimeoutMs ?? 20_000,
        // Without this the SDK only warns when an answer is late, and the run waits for ever.
        throwOnRequestTimeout: true,
        socketTimeout: settings.requestTimeoutMs ?? 20_000,
      }),
      settings.signal,
    ),
  };
}

export function createClients(settings: AwsSettings): AwsClients {
  const common = clientConfig(settings);
  // IAM is global: the SDK's endpoint rules map any region of a partition to that partition's IAM endpoint.
  const iam = new IAMClient(common);
  const sts = new STSClient(common);
  const ecs = new ECSClient(common);
  const cloudtrail = new CloudTrailClient(common);
  // Every command's calls (check, stop, wait) are paced with the whole process, under AWS's rate limits.
  const pacing = settings.pacers?.api ?? processPacing();
  const key = defaultPaceKey(settings);
  pacing.install(ecs, "ecs", key, settings.signal);
  pacing.install(iam, "iam", iamPaceKey(key), settings.signal);
  let ec2: Promise<import("@aws-sdk/client-ec2").EC2Client> | undefined;
  let organizations: Promise<import("@aws-sdk/client-organizations").OrganizationsClient> | undefined;
  return {
    iam,
    sts,
    ecs,
    cloudtrail,
    ec2() {
      ec2 ??= import("./ec2-sdk.ts").then((m) => {
        const client = new m.EC2Client(common);
        pacing.install(client, "ec2", key, settings.signal);
        return client;
      });
      return ec2;
    },
    organizations() {
      organizations ??= import("./organizations-sdk.ts").then((m) => new m.OrganizationsClient(common));
      return organizations;
    },
    destroy() {
      for (const c of [iam, sts, ecs, cloudtrail]) c.destroy();
      void ec2?.then((c) => c.destroy());
      void organizations?.then((c) => c.destroy());
    },
  };
}
