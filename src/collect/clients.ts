import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { ECSClient } from "@aws-sdk/client-ecs";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { type ApiPacing, iamPaceKey, processPacing } from "./api-pacing.ts";
import type { CallCounter } from "./call-counter.ts";
import type { RequestPacer } from "./pacer.ts";
import { DEFAULT_MAX_ATTEMPTS, type RetryMode, retryStrategy } from "./retry.ts";
import { runTimeoutError } from "./run-timeout.ts";

/**
 * AWS settings, the AWS way: --region / AWS_REGION, --profile / AWS_PROFILE, the default credential chain,
 * and endpoint overrides through AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> (read by the SDK itself).
 * Retries are the SDK's own strategies (retry.ts: standard mode, 9 attempts, full jitter, bounded by the deadline);
 * nothing is stacked on top.
 */
export interface AwsSettings {
  region: string;
  profile?: string;
  /** Attempts per call (--max-attempts, AWS_MAX_ATTEMPTS; default DEFAULT_MAX_ATTEMPTS, 9). */
  maxAttempts?: number;
  /** The SDK's retry mode (AWS_RETRY_MODE): standard (the default) or adaptive. */
  retryMode?: RetryMode;
  /** Socket timeout for one HTTP answer, ms. */
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /**
   * Replaces the back-off delays (called with the retry's number, from 1) while keeping the SDK's retry decisions:
   * tests use zero delay.
   */
  retryBackoffMs?: (attempt: number) => number;
  /** The whole run's deadline (--timeout): when it fires, calls in flight are aborted and new ones fail at once. */
  signal?: AbortSignal;
  /** When that deadline passes (epoch ms): a retry whose wait would end after it is not made. */
  deadlineAt?: number;
  /** Counts the run's calls, retries and throttled answers (the report's `aws`); set by the check pipeline. */
  calls?: CallCounter;
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

/**
 * The settings of one SDK client of the run: Region, profile or credentials, retries, timeouts, deadline. Each call
 * makes a new retry strategy (each client has its own retry capacity, as the SDK's default does).
 */
export function clientConfig(settings: AwsSettings) {
  return { ...sharedConfig(settings), ...retryConfig(settings) };
}

/** One client's retries: the run's strategy (retry.ts), counted and bounded by the run's deadline. */
function retryConfig(settings: AwsSettings) {
  const maxAttempts = settings.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  return {
    // The SDK sends it in each request's amz-sdk-request header ("attempt=2; max=9").
    maxAttempts,
    retryStrategy: retryStrategy({
      maxAttempts,
      ...(settings.retryMode ? { mode: settings.retryMode } : {}),
      ...(settings.retryBackoffMs ? { backoffMs: settings.retryBackoffMs } : {}),
      ...(settings.deadlineAt !== undefined ? { deadlineAt: settings.deadlineAt } : {}),
      ...(settings.calls ? { counter: settings.calls } : {}),
    }),
  };
}

/** What the clients of one run share: Region, credentials, and one HTTP handler (its sockets) with the deadline. */
function sharedConfig(settings: AwsSettings) {
  return {
    region: settings.region,
    ...(settings.profile ? { profile: settings.profile } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
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
  const shared = sharedConfig(settings);
  const common = () => ({ ...shared, ...retryConfig(settings) });
  // IAM is global: the SDK's endpoint rules map any region of a partition to that partition's IAM endpoint.
  const iam = new IAMClient(common());
  const sts = new STSClient(common());
  const ecs = new ECSClient(common());
  const cloudtrail = new CloudTrailClient(common());
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
        const client = new m.EC2Client(common());
        pacing.install(client, "ec2", key, settings.signal);
        return client;
      });
      return ec2;
    },
    organizations() {
      organizations ??= import("./organizations-sdk.ts").then((m) => new m.OrganizationsClient(common()));
      return organizations;
    },
    destroy() {
      for (const c of [iam, sts, ecs, cloudtrail]) c.destroy();
      void ec2?.then((c) => c.destroy());
      void organizations?.then((c) => c.destroy());
    },
  };
}
