import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { IAMClient } from "@aws-sdk/client-iam";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { STSClient } from "@aws-sdk/client-sts";
import type { AwsClients } from "../../src/collect/clients.ts";
import type { FakeAws } from "../fake-aws/server.ts";

export interface FakeClientsOptions {
  /** Beside the fake's endpoint, Region and credentials: maxAttempts, a retryStrategy… (every client). */
  config?: Record<string, unknown>;
  /** More for the ECS client alone (its credentials, to make its first request fail). */
  ecs?: Record<string, unknown>;
  /** false: a test that must never read EC2 gets a rejected client. */
  ec2?: boolean;
}

/**
 * The run's AWS clients as collect() takes them injected: the real SDK clients, pointed at the fake; EC2 built on
 * first use (or refused), Organizations built at once.
 */
export function fakeClients(fake: FakeAws, options: FakeClientsOptions = {}): AwsClients {
  const config = { ...fake.clientConfig(), ...options.config };
  const made = {
    iam: new IAMClient(config),
    sts: new STSClient(config),
    ecs: new ECSClient({ ...config, ...options.ecs }),
    cloudtrail: new CloudTrailClient(config),
  };
  const organizations = new OrganizationsClient(config);
  let ec2: EC2Client | undefined;
  return {
    ...made,
    ec2: async () => {
      if (options.ec2 === false) throw new Error("EC2 is not used here");
      ec2 ??= new EC2Client(config);
      return ec2;
    },
    organizations: async () => organizations,
    destroy: () => {
      for (const c of Object.values(made)) c.destroy();
      organizations.destroy();
      ec2?.destroy();
    },
  };
}
