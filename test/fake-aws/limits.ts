import type { AwsService } from "./account.ts";

/**
 * AWS's request rate limits as token buckets, one per API family and account-Region (aws-facts §2.4 for ECS; 2 a
 * second for CloudTrail LookupEvents). A request that finds its bucket empty is throttled the way that service
 * throttles; a bucket refills continuously at `rate` tokens a second up to `burst`.
 */

export interface Bucket {
  /** Sustained requests a second. */
  rate: number;
  /** Tokens available at once. */
  burst: number;
}

/** Which family an action's requests count against (undefined: not limited). */
export type FamilyOf = (service: AwsService, action: string) => string | undefined;

export interface RateLimits {
  familyOf: FamilyOf;
  buckets: Record<string, Bucket>;
  /** The clock, in ms (default: performance.now). */
  now?: () => number;
}

const ECS_CLUSTER_READS = new Set(["ListClusters", "DescribeClusters"]);
const ECS_CLUSTER_RESOURCE_READS = new Set(["ListTasks", "DescribeTasks", "ListContainerInstances"]);
const ECS_SERVICE_READS = new Set(["ListServices", "DescribeServices"]);

/** The families and limits issue 11's benchmark uses (AWS's published ECS and CloudTrail limits; IAM at 20/s). */
export const AWS_LIMITS: Omit<RateLimits, "now"> = {
  familyOf(service, action) {
    if (service === "ecs") {
      if (ECS_CLUSTER_READS.has(action)) return "ecs:cluster-read";
      if (ECS_CLUSTER_RESOURCE_READS.has(action)) return "ecs:cluster-resource-read";
      if (ECS_SERVICE_READS.has(action)) return "ecs:service-read";
      return undefined;
    }
    if (service === "cloudtrail" && action === "LookupEvents") return "cloudtrail:lookup-events";
    if (service === "iam") return "iam";
    return undefined;
  },
  buckets: {
    "ecs:cluster-read": { rate: 20, burst: 50 },
    "ecs:cluster-resource-read": { rate: 20, burst: 100 },
    "ecs:service-read": { rate: 20, burst: 100 },
    "cloudtrail:lookup-events": { rate: 2, burst: 2 },
    iam: { rate: 20, burst: 20 },
  },
};

/** The buckets of one fake: `admit` takes a token or says the request is throttled. */
export class RateLimiter {
  private readonly state = new Map<string, { tokens: number; at: number }>();
  private readonly now: () => number;

  constructor(private readonly limits: RateLimits) {
    this.now = limits.now ?? (() => performance.now());
  }

  /** True when the request may proceed; `scope` keeps account-Regions apart (each has its own buckets). */
  admit(service: AwsService, action: string, scope = ""): boolean {
    const family = this.limits.familyOf(service, action);
    const bucket = family ? this.limits.buckets[family] : undefined;
    if (!family || !bucket) return true;
    const key = `${scope}|${family}`;
    const t = this.now();
    const s = this.state.get(key) ?? { tokens: bucket.burst, at: t };
    s.tokens = Math.min(bucket.burst, s.tokens + ((t - s.at) / 1000) * bucket.rate);
    s.at = t;
    this.state.set(key, s);
    if (s.tokens < 1) return false;
    s.tokens -= 1;
    return true;
  }
}
