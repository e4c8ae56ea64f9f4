import type {
  AdvancedConfiguration,
  Attachment,
  CapacityProvider,
  ECSExpressGatewayService,
  Failure,
  Service,
  Task,
} from "@aws-sdk/client-ecs";
import { loadBalancerKinds } from "../analysis/load-balancer-kinds.ts";
import type {
  CapacityProviderFacts,
  EbsAttachment,
  ExpressServiceFacts,
  MissingResource,
  ServiceFacts,
  ServiceRoleUse,
  TaskFacts,
} from "../facts/types.ts";

/** From ECS API shapes to the Facts the rules read: only what DESIGN.md lists, times as ISO strings. */

export const EBS_ATTACHMENT_TYPE = "AmazonElasticBlockStorage";

/** An EBS attachment: its status and the `details` ECS documents for it (all values are strings). */
function ebsAttachment(a: Attachment): EbsAttachment {
  const details = new Map((a.details ?? []).map((d) => [d.name ?? "", d.value ?? ""]));
  const pick = (key: string) => (details.has(key) ? { [key]: details.get(key) } : {});
  return {
    id: a.id ?? "",
    status: a.status ?? "",
    ...pick("roleArn"),
    ...pick("volumeId"),
    ...pick("volumeName"),
    ...pick("deleteOnTermination"),
    ...pick("statusReason"),
  };
}

export function taskFacts(t: Task): TaskFacts | undefined {
  if (!t.taskArn) return undefined;
  return {
    arn: t.taskArn,
    clusterArn: t.clusterArn ?? "",
    ...(t.group ? { group: t.group } : {}),
    ...(t.startedBy ? { startedBy: t.startedBy } : {}),
    lastStatus: t.lastStatus ?? "",
    desiredStatus: t.desiredStatus ?? "",
    ...(t.stopCode ? { stopCode: t.stopCode } : {}),
    ...(t.stoppedReason ? { stoppedReason: t.stoppedReason } : {}),
    ...(t.stoppingAt ? { stoppingAt: t.stoppingAt.toISOString() } : {}),
    ...(t.executionStoppedAt ? { executionStoppedAt: t.executionStoppedAt.toISOString() } : {}),
    ...(t.launchType ? { launchType: t.launchType } : {}),
    ...(t.capacityProviderName ? { capacityProviderName: t.capacityProviderName } : {}),
    ebsAttachments: (t.attachments ?? []).filter((a) => a.type === EBS_ATTACHMENT_TYPE).map(ebsAttachment),
  };
}

/**
 * A service and the infrastructure roles it names: per live deployment the EBS volume role, the Service Connect TLS
 * role and the VPC Lattice role; on the service itself a blue/green load balancer's role
 * (`loadBalancers[].advancedConfiguration.roleArn`), with the kinds of load balancer its productionListenerRule and
 * testListenerRule name (src/analysis/load-balancer-kinds.ts). `Service.roleArn` is the legacy load-balancer role, not an
 * infrastructure role, and is ignored. INACTIVE deployments are skipped: their tasks are gone, and any still stopping
 * carry the EBS role themselves.
 */
export function serviceFacts(s: Service): ServiceFacts | undefined {
  if (!s.serviceArn) return undefined;
  const roles = new Map<string, ServiceFacts["infrastructureRoles"][number]>();
  const add = (roleArn: string | undefined, use: ServiceRoleUse, deploymentId?: string) => {
    if (roleArn)
      roles.set(`${roleArn} ${use} ${deploymentId ?? ""}`, {
        roleArn,
        use,
        ...(deploymentId !== undefined ? { deploymentId } : {}),
      });
  };
  for (const d of s.deployments ?? []) {
    if (d.status === "INACTIVE") continue;
    const id = d.id ?? "";
    for (const v of d.volumeConfigurations ?? []) add(v.managedEBSVolume?.roleArn, "ebs", id);
    for (const c of d.serviceConnectConfiguration?.services ?? [])
      add(c.tls?.roleArn, "service-connect-tls", id);
    for (const l of d.vpcLatticeConfigurations ?? []) add(l.roleArn, "vpc-lattice", id);
  }
  // Per role, the routes of every load balancer naming it: their kinds say which listener actions ECS needs.
  const routes = new Map<string, AdvancedConfiguration[]>();
  for (const lb of s.loadBalancers ?? []) {
    const config = lb.advancedConfiguration;
    if (!config?.roleArn) continue;
    add(config.roleArn, "load-balancer");
    routes.set(config.roleArn, [...(routes.get(config.roleArn) ?? []), config]);
  }
  for (const [roleArn, configs] of routes) {
    const entry = roles.get(`${roleArn} load-balancer `);
    const kinds = loadBalancerKinds(configs);
    if (entry && kinds) entry.loadBalancerKinds = kinds;
  }
  return {
    arn: s.serviceArn,
    name: s.serviceName ?? s.serviceArn.slice(s.serviceArn.lastIndexOf("/") + 1),
    status: s.status ?? "",
    infrastructureRoles: [...roles.values()],
    deploymentIds: (s.deployments ?? []).flatMap((d) => (d.id ? [d.id] : [])),
    ...(s.resourceManagementType ? { resourceManagementType: s.resourceManagementType } : {}),
    ...(s.createdBy ? { createdBy: s.createdBy } : {}),
    ...counts(s),
  };
}

/** The service's task counts, each only when ECS gave it. */
function counts(s: Service): Pick<ServiceFacts, "desiredCount" | "runningCount" | "pendingCount"> {
  return {
    ...(typeof s.desiredCount === "number" ? { desiredCount: s.desiredCount } : {}),
    ...(typeof s.runningCount === "number" ? { runningCount: s.runningCount } : {}),
    ...(typeof s.pendingCount === "number" ? { pendingCount: s.pendingCount } : {}),
  };
}

/** A capacity provider: its type, status and, for Managed Instances, the role and instance profile it names. */
export function capacityProviderFacts(c: CapacityProvider): CapacityProviderFacts | undefined {
  const arn = c.capacityProviderArn;
  if (!arn) return undefined;
  const mi = c.managedInstancesProvider;
  return {
    arn,
    name: c.name ?? arn.slice(arn.lastIndexOf("/") + 1),
    ...(c.type ? { type: c.type } : {}),
    status: c.status ?? "",
    ...(mi?.infrastructureRoleArn ? { infrastructureRoleArn: mi.infrastructureRoleArn } : {}),
    ...(mi?.instanceLaunchTemplate?.ec2InstanceProfileArn
      ? { instanceProfileArn: mi.instanceLaunchTemplate.ec2InstanceProfileArn }
      : {}),
  };
}

/** An Express service as DescribeExpressGatewayService answers it. */
export function expressServiceFacts(e: ECSExpressGatewayService, arn: string): ExpressServiceFacts {
  const serviceArn = e.serviceArn ?? arn;
  return {
    arn: serviceArn,
    name: e.serviceName ?? serviceArn.slice(serviceArn.lastIndexOf("/") + 1),
    status: e.status?.statusCode ?? "",
    ...(e.infrastructureRoleArn ? { infrastructureRoleArn: e.infrastructureRoleArn } : {}),
  };
}

export function missingResource(kind: MissingResource["kind"], f: Failure): MissingResource {
  return { kind, arn: f.arn ?? "", reason: f.reason ?? "", ...(f.detail ? { detail: f.detail } : {}) };
}
