import type { FakeCapacityProvider, FakeCluster } from "./account.ts";
import { arnPrefix, type EcsHandler, invalidParameter, resolveCluster, serviceArn } from "./ecs.ts";
import { AwsError } from "./errors.ts";
import { type JsonParams, optInt, optString, optStringList } from "./json.ts";
import { decodeToken, effectivePageSize, encodeToken, pageOf } from "./paging.ts";
import type { FakeState } from "./state.ts";

/**
 * ECS beyond services and tasks: DescribeCapacityProviders (paged, 10 at most, Managed Instances providers only for
 * the cluster asked about, as ECS documents) and DescribeExpressGatewayService (one Express service by ARN).
 */

/** How many times DescribeCapacityProviders has shown each provider (the clock of its transitions). */
const shown = new WeakMap<FakeCapacityProvider, number>();

function advance(provider: FakeCapacityProvider): void {
  while (
    provider.transitions?.length &&
    (shown.get(provider) ?? 0) >= (provider.transitions[0]?.afterDescribes ?? 0)
  )
    provider.status = provider.transitions.shift()?.status;
}

function typeOf(provider: FakeCapacityProvider): string {
  return provider.type ?? (provider.infrastructureRoleArn ? "MANAGED_INSTANCES" : "EC2_AUTOSCALING");
}

function render(state: FakeState, cluster: FakeCluster, provider: FakeCapacityProvider): object {
  const {
    name,
    type: _t,
    status,
    infrastructureRoleArn,
    instanceProfileArn,
    transitions: _x,
    ...rest
  } = provider;
  const type = typeOf(provider);
  return {
    capacityProviderArn: `${arnPrefix(state)}:capacity-provider/${name}`,
    name,
    status: status ?? "ACTIVE",
    type,
    ...(type === "MANAGED_INSTANCES" ? { cluster: cluster.name } : {}),
    ...(infrastructureRoleArn
      ? {
          managedInstancesProvider: {
            infrastructureRoleArn,
            ...(instanceProfileArn
              ? { instanceLaunchTemplate: { ec2InstanceProfileArn: instanceProfileArn } }
              : {}),
            propagateTags: "NONE",
          },
        }
      : {}),
    ...rest,
  };
}

function describeCapacityProviders(state: FakeState, params: JsonParams): object {
  const clusterRef = optString(params, "cluster");
  const named = optStringList(params, "capacityProviders");
  const maxResults = optInt(params, "maxResults");
  if (maxResults !== undefined && (maxResults < 1 || maxResults > 10))
    throw invalidParameter("maxResults must be between 1 and 10.");
  // Without a cluster, the account's providers: Managed Instances ones are cluster-scoped and left out.
  const pairs = (
    clusterRef === undefined ? (state.account.clusters ?? []) : [resolveCluster(state, clusterRef)]
  )
    .flatMap((cluster) => (cluster.capacityProviders ?? []).map((provider) => ({ cluster, provider })))
    .filter(({ provider }) => clusterRef !== undefined || typeOf(provider) !== "MANAGED_INSTANCES")
    .filter(
      ({ provider }) => !named || named.some((n) => n === provider.name || n.endsWith(`/${provider.name}`)),
    );
  const query = ["DescribeCapacityProviders", clusterRef, named];
  const token = optString(params, "nextToken");
  let offset = 0;
  if (token !== undefined) {
    const decoded = decodeToken(token, query);
    if (decoded === undefined) throw invalidParameter("Invalid token");
    offset = decoded;
  }
  const page = pageOf(pairs, offset, effectivePageSize(maxResults, 10, state.pageSize.ecs));
  const capacityProviders = page.items.map(({ cluster, provider }) => {
    advance(provider);
    const rendered = render(state, cluster, provider);
    shown.set(provider, (shown.get(provider) ?? 0) + 1);
    return rendered;
  });
  return {
    capacityProviders,
    failures: [],
    ...(page.next === undefined ? {} : { nextToken: encodeToken(page.next, query) }),
  };
}

function describeExpressGatewayService(state: FakeState, params: JsonParams): object {
  const arn = optString(params, "serviceArn");
  if (arn === undefined) throw invalidParameter("serviceArn must be specified.");
  for (const cluster of state.account.clusters ?? []) {
    for (const service of cluster.services ?? []) {
      if (!service.express || serviceArn(state, cluster, service.name) !== arn) continue;
      return {
        service: {
          cluster: cluster.name,
          serviceName: service.name,
          serviceArn: arn,
          infrastructureRoleArn: service.express.infrastructureRoleArn,
          status: { statusCode: service.express.status ?? "ACTIVE" },
          activeConfigurations: [],
        },
      };
    }
  }
  throw new AwsError("ResourceNotFoundException", `Express service ${arn} not found.`);
}

/** The handlers handleEcs takes beside its own. */
export const ECS_USE_HANDLERS: Readonly<Record<string, EcsHandler>> = {
  DescribeCapacityProviders: describeCapacityProviders,
  DescribeExpressGatewayService: describeExpressGatewayService,
};
