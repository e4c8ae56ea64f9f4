import { expect } from "vitest";
import { ACCOUNT, deletedRole, err, facts, role } from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import rule from "./index.ts";

const arn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

testRule(rule, {
  valid: [
    { name: "an existing role", facts: facts([role("infra")]), expect: { [arn("infra")]: "pass" } },
    {
      name: "two existing roles each get a pass",
      facts: facts([role("a"), role("b")]),
      expect: { [arn("a")]: "pass", [arn("b")]: "pass" },
    },
    { name: "no roles in scope reports nothing", facts: facts([]), expect: {} },
  ],
  invalid: [
    {
      name: "a deleted role used only for Service Connect TLS: the TLS consequence, recreated with the TLS policy",
      facts: facts([
        {
          ...deletedRole("tls"),
          referencedBy: [{ kind: "service", cluster: "c", service: "web", use: "service-connect-tls" }],
        },
      ]),
      expect: { [arn("tls")]: "fail" },
      message: {
        [arn("tls")]:
          /^Role tls does not exist: ECS cannot issue or rotate the Service Connect TLS certificates of the services that use it\./,
      },
      assert: ([f]) => {
        expect(f?.remediation).toMatch(
          /aws iam attach-role-policy --role-name tls --policy-arn arn:aws:iam::aws:policy\/service-role\/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity$/,
        );
        expect(f?.remediation).not.toMatch(/ForVolumes/);
      },
    },
    {
      name: "a deleted role only a Managed Instances capacity provider names: what breaks, recreated with its policy",
      facts: facts([
        {
          ...deletedRole("mi"),
          referencedBy: [
            {
              kind: "capacity-provider",
              cluster: "arn:aws:ecs:us-east-1:1:cluster/prod",
              capacityProvider: "cp",
              use: "managed-instances",
            },
          ],
        },
      ]),
      expect: { [arn("mi")]: "fail" },
      message: {
        [arn("mi")]:
          /^Role mi does not exist: the capacity provider cannot launch instances, so new tasks stay PENDING\. 1 capacity provider \(prod\/cp\) depends on it\./,
      },
      assert: ([f]) => {
        expect(f?.remediation).toMatch(
          /--policy-arn arn:aws:iam::aws:policy\/AmazonECSInfrastructureRolePolicyForManagedInstances$/,
        );
        expect(f?.remediation).not.toMatch(/ForVolumes/);
      },
    },
    {
      name: "a deleted role (NoSuchEntity) fails and says how to recreate it",
      facts: facts([deletedRole("gone")]),
      expect: { [arn("gone")]: "fail" },
      message: { [arn("gone")]: /does not exist/ },
      assert: ([f]) =>
        expect(f?.remediation).toMatch(
          /aws iam create-role --role-name gone .*ecs\.amazonaws\.com[\s\S]*attach-role-policy/,
        ),
    },
    {
      name: "a deleted role referenced by ARN with a path keeps the path in the fix",
      facts: facts([{ ...deletedRole("x"), ref: `arn:aws:iam::${ACCOUNT}:role/teams/storage/x` }]),
      expect: { [`arn:aws:iam::${ACCOUNT}:role/teams/storage/x`]: "fail" },
      assert: ([f]) => expect(f?.remediation).toMatch(/--path \/teams\/storage\//),
    },
    {
      name: "a deleted role names the services and running tasks that depend on it",
      facts: facts([
        {
          ...deletedRole("gone"),
          referencedBy: [
            {
              kind: "service",
              cluster: "arn:aws:ecs:us-east-1:111122223333:cluster/prod",
              service: "api",
              use: "ebs",
            },
            {
              kind: "task",
              cluster: "prod",
              task: "arn:aws:ecs:us-east-1:111122223333:task/prod/abc",
              status: "RUNNING",
            },
          ],
        },
      ]),
      expect: { [arn("gone")]: "fail" },
      message: { [arn("gone")]: /1 service \(prod\/api\) and 1 task \(abc\) depend on it/ },
    },
    {
      name: "a deleted role with one dependent task says it depends on it, naming the task id",
      facts: facts([
        {
          ...deletedRole("gone"),
          referencedBy: [
            {
              kind: "task",
              cluster: "etl",
              task: "arn:aws:ecs:us-east-1:111122223333:task/etl/f00d",
              status: "DEPROVISIONING",
            },
          ],
        },
      ]),
      expect: { [arn("gone")]: "fail" },
      message: { [arn("gone")]: /\. 1 task \(f00d\) depends on it\.$/ },
    },
    {
      name: "GetRole denied is unknown, naming the API and the permission",
      facts: facts([role("hidden", { role: err("iam:GetRole") })]),
      expect: { [arn("hidden")]: "unknown" },
      message: {
        [arn("hidden")]: /iam:GetRole failed with AccessDenied.*Grant the tool's credentials iam:GetRole/,
      },
    },
    {
      name: "GetRole throttled past retries is unknown, not a pass",
      facts: facts([role("busy", { role: err("iam:GetRole", "Throttling", "Rate exceeded") })]),
      expect: { [arn("busy")]: "unknown" },
    },
  ],
});
