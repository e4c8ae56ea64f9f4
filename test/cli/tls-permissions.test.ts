import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.ts";
import {
  ACCOUNT_ID,
  awsManagedTlsPolicy,
  awsManagedVolumesPolicy,
  ebsService,
  infrastructureRole,
  roleArnOf,
  TLS_POLICY_ARN,
  trailEvent,
} from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { checkJson } from "../support/cli.ts";

/**
 * End to end: tls-permissions through the CLI, the real ECS, IAM and CloudTrail clients and the fake AWS. A
 * service's deployment names a Service Connect TLS role; its policies come from IAM at their default version.
 */

const CUSTOMER = `arn:aws:iam::${ACCOUNT_ID}:policy/ecs-sc-tls-copy`;
const EBS_ROLE = roleArnOf("ebs-role");
const BROKEN = roleArnOf("tls-broken");
const GOOD = roleArnOf("tls-good");

/** The managed TLS policy as a customer copy with IssueCertificate trimmed out of its default version. */
function copyWithoutIssueCertificate(): object {
  const doc = awsManagedTlsPolicy().versions.v4 as { Statement: { Action: string | string[] }[] };
  return {
    ...doc,
    Statement: doc.Statement.filter(
      (s) => !([] as string[]).concat(s.Action).includes("acm-pca:IssueCertificate"),
    ),
  };
}

let fake: FakeAws;
beforeAll(async () => {
  const recently = new Date(Date.now() - 3_600_000).toISOString();
  fake = await startFakeAws({
    accountId: ACCOUNT_ID,
    roles: [
      infrastructureRole({ name: "ebs-role" }),
      infrastructureRole({ name: "tls-broken", attached: [CUSTOMER] }),
      infrastructureRole({ name: "tls-good", attached: [TLS_POLICY_ARN] }),
    ],
    managedPolicies: [
      awsManagedVolumesPolicy(),
      awsManagedTlsPolicy(),
      // v1 was complete; the default v2 is the trimmed copy: the check must read the default.
      {
        arn: CUSTOMER,
        defaultVersionId: "v2",
        versions: { v1: awsManagedTlsPolicy().versions.v4 as object, v2: copyWithoutIssueCertificate() },
      },
    ],
    clusters: [
      { name: "broken", services: [ebsService({ name: "web", roleArn: EBS_ROLE, tlsRoleArn: BROKEN })] },
      { name: "good", services: [ebsService({ name: "api", roleArn: EBS_ROLE, tlsRoleArn: GOOD })] },
    ],
    trailEvents: [
      trailEvent({
        eventName: "IssueCertificate",
        eventTime: recently,
        roleArn: BROKEN,
        sessionName: "ECSServiceConnectForTLS",
        errorCode: "AccessDeniedException",
        errorMessage: `User: arn:aws:sts::${ACCOUNT_ID}:assumed-role/tls-broken/ECSServiceConnectForTLS is not authorized to perform: acm-pca:IssueCertificate`,
      }),
    ],
  });
  Object.assign(process.env, fake.env());
});
afterAll(() => fake.close());

const findingOf = (report: Report, rule: string, resource: string) =>
  report.findings.find((f) => f.rule === rule && f.resource === resource);

describe("tls-permissions through the CLI", () => {
  it("a TLS role whose customer policy's default version lacks IssueCertificate: exit 1, naming it", async () => {
    const { code, report, calls } = await checkJson(fake, "--cluster", "broken");
    const finding = findingOf(report, "tls-permissions", BROKEN);
    expect(finding?.status).toBe("fail");
    expect(finding?.message).toMatch(
      /^tls-broken \(Service Connect TLS of broken\/web\): acm-pca:IssueCertificate not allowed by any policy\./,
    );
    // Linked to the trail: the role's failed TLS session call is named here and fails cloudtrail-errors.
    expect(finding?.message).toMatch(/CloudTrail shows 1 failed ECSServiceConnectForTLS call by it/);
    expect(findingOf(report, "cloudtrail-errors", BROKEN)?.status).toBe("fail");
    expect(finding?.remediation).toBe(
      `aws iam attach-role-policy --role-name tls-broken --policy-arn ${TLS_POLICY_ARN}`,
    );
    // The EBS role of the same service is not judged for TLS, and the TLS role not for volumes.
    expect(findingOf(report, "tls-permissions", EBS_ROLE)).toBeUndefined();
    expect(findingOf(report, "volume-permissions", BROKEN)).toBeUndefined();
    expect(findingOf(report, "managed-policy", BROKEN)?.message).toMatch(
      /^AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity is not attached to tls-broken, and the TLS permissions are not all held another way/,
    );
    expect(code).toBe(1);
    const versions = calls
      .filter((c) => c.service === "iam" && c.action === "GetPolicyVersion")
      .map((c) => [c.params.PolicyArn, c.params.VersionId]);
    expect(versions).toContainEqual([CUSTOMER, "v2"]);
  });

  it("the same with the managed policy attached: the rule passes", async () => {
    const { code, report } = await checkJson(fake, "--cluster", "good");
    expect(findingOf(report, "tls-permissions", GOOD)?.status).toBe("pass");
    expect(findingOf(report, "managed-policy", GOOD)?.status).toBe("pass");
    // Its services do not say who created them: nobody is known to deploy, so pass-role is not judged.
    const notPassed = report.findings.filter((f) => f.status !== "pass");
    expect(notPassed.filter((f) => !(f.rule === "pass-role" && f.status === "skipped"))).toEqual([]);
    expect(code).toBe(0);
  });
});
