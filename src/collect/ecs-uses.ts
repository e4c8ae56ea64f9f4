import {
  DescribeCapacityProvidersCommand,
  DescribeExpressGatewayServiceCommand,
  type ECSClient,
} from "@aws-sdk/client-ecs";
import type { CapacityProviderFacts, ExpressServiceFacts, Fact, ServiceFacts } from "../facts/types.ts";
import { mapLimit } from "./concurrency.ts";
import { capacityProviderFacts, expressServiceFacts } from "./ecs-shapes.ts";
import { errorCode, gather } from "./fact.ts";

/**
 * The uses of an infrastructure role that live beside a cluster's services and tasks: its capacity providers (a
 * Managed Instances provider names a role) and its Express services (each names one). Every read that fails is a
 * fact error, so a role such a use may name is never called unused.
 */

/** DescribeCapacityProviders' maxResults cap (1–10; ECS's default page is 10 too). */
export const DESCRIBE_CAPACITY_PROVIDERS_MAX = 10;
/** DescribeExpressGatewayService takes one service a call: this many in flight per cluster. */
const EXPRESS_IN_FLIGHT = 4;

/**
 * The cluster's capacity providers, every page. Managed Instances providers are cluster-scoped: DescribeCapacityProviders
 * returns them only when asked for the cluster. There is no SDK paginator, so nextToken is followed here.
 */
export function collectCapacityProviders(
  ecs: ECSClient,
  cluster: string,
  pageSize = DESCRIBE_CAPACITY_PROVIDERS_MAX,
): Promise<Fact<CapacityProviderFacts[]>> {
  const maxResults = Math.min(Math.max(pageSize, 1), DESCRIBE_CAPACITY_PROVIDERS_MAX);
  return gather("ecs:DescribeCapacityProviders", async () => {
    const out: CapacityProviderFacts[] = [];
    const tokens = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(
        new DescribeCapacityProvidersCommand({ cluster, maxResults, ...(nextToken ? { nextToken } : {}) }),
      );
      for (const c of page.capacityProviders ?? []) {
        const facts = capacityProviderFacts(c);
        if (facts) out.push(facts);
      }
      // None was named, so a failure is something ECS could not describe: its role cannot be known.
      const [failure] = page.failures ?? [];
      if (failure)
        throw Object.assign(new Error(`${failure.arn ?? cluster}: ${failure.reason ?? "failed"}`), {
          name: "CapacityProviderFailure",
        });
      nextToken = page.nextToken;
      if (nextToken && tokens.has(nextToken))
        throw Object.assign(new Error("DescribeCapacityProviders repeated a nextToken"), {
          name: "PaginationLoop",
        });
      if (nextToken) tokens.add(nextToken);
    } while (nextToken);
    return out;
  });
}

/**
 * DescribeExpressGatewayService for each service ECS manages (resourceManagementType ECS) that is not INACTIVE.
 * One that ECS no longer knows (ResourceNotFoundException) is gone, with nothing left to clean up; any other error
 * hides every Express service of the cluster. Services that could not be read leave the Express services unread.
 */
export async function collectExpressServices(
  ecs: ECSClient,
  services: Fact<ServiceFacts[]>,
): Promise<Fact<ExpressServiceFacts[]>> {
  if (!services.ok) return services;
  const express = services.value.filter((s) => s.resourceManagementType === "ECS" && s.status !== "INACTIVE");
  return gather("ecs:DescribeExpressGatewayService", async () => {
    const described = await mapLimit(express, EXPRESS_IN_FLIGHT, async (s) => {
      try {
        const answer = await ecs.send(new DescribeExpressGatewayServiceCommand({ serviceArn: s.arn }));
        // An answer without the service says nothing of its role: not "no role".
        if (!answer.service)
          throw Object.assign(new Error(`DescribeExpressGatewayService answered no service for ${s.arn}`), {
            name: "NotAnswered",
          });
        return [expressServiceFacts(answer.service, s.arn)];
      } catch (err) {
        if (errorCode(err) === "ResourceNotFoundException") return [];
        throw err;
      }
    });
    return described.flat();
  });
}
