import type { FakeCluster, FakeService, FakeTask, FakeTaskTransition } from "./account.ts";
import { AwsError } from "./errors.ts";
import { epochSeconds, type JsonParams, optInt, optString, optStringList } from "./json.ts";
import { decodeToken, effectivePageSize, encodeToken, pageOf } from "./paging.ts";
import { type FakeState, stableId } from "./state.ts";

/**
 * ECS (awsJson1_1, AmazonEC2ContainerServiceV20141113): clusters, services and tasks, with ECS's batch limits
 * (DescribeServices 10, DescribeTasks 100), its list defaults (ListServices 10, others 100) and epoch-second times.
 */

export type EcsHandler = (state: FakeState, params: JsonParams) => object;

const HANDLERS: Record<string, EcsHandler> = {
  ListClusters: listClusters,
  DescribeClusters: describeClusters,
  ListServices: listServices,
  DescribeServices: describeServices,
  ListTasks: listTasks,
  DescribeTasks: describeTasks,
  StopTask: stopTask,
};

/** `more`: the handlers of other ECS resources (ecs-uses.ts), which build on this file's helpers. */
export function handleEcs(
  state: FakeState,
  action: string,
  params: JsonParams,
  more: Readonly<Record<string, EcsHandler>> = {},
): object {
  const handler = HANDLERS[action] ?? more[action];
  if (!handler) throw new AwsError("UnknownOperationException", `Unknown operation ${action}`);
  // Every ECS answer sees the same moment of each task's lifecycle: listings and descriptions agree.
  advanceTasks(state);
  return handler(state, params);
}

/** How many times DescribeTasks has shown each task (the clock of `afterDescribes` transitions). */
const describedCount = new WeakMap<FakeTask, number>();
const STOPPING_STATES = new Set(["DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED", "DELETED"]);

function due(state: FakeState, task: FakeTask, step: FakeTaskTransition): boolean {
  if (step.afterDescribes !== undefined) return (describedCount.get(task) ?? 0) >= step.afterDescribes;
  if (step.at !== undefined) return state.now().getTime() >= Date.parse(step.at);
  return true;
}

/** Applies each task's due transitions, in order (a step waits for the ones before it). */
function advanceTasks(state: FakeState): void {
  for (const cluster of state.account.clusters ?? []) {
    for (const task of cluster.tasks ?? []) {
      while (task.transitions?.length && due(state, task, task.transitions[0] as FakeTaskTransition)) {
        const {
          afterDescribes: _n,
          at: _at,
          ebsAttachmentStatus,
          ...fields
        } = task.transitions.shift() as FakeTaskTransition;
        Object.assign(task, fields);
        if (fields.lastStatus && STOPPING_STATES.has(fields.lastStatus) && fields.desiredStatus === undefined)
          task.desiredStatus = "STOPPED";
        if (fields.lastStatus === "STOPPED" && fields.stoppedAt === undefined)
          task.stoppedAt = state.now().toISOString();
        if (ebsAttachmentStatus !== undefined) {
          for (const a of (task.attachments ?? []) as { type?: string; status?: string }[])
            if (a.type === "AmazonElasticBlockStorage") a.status = ebsAttachmentStatus;
        }
        if (typeof task.version === "number") task.version += 1;
      }
    }
  }
}

const TASK_TIME_KEYS = new Set([
  "createdAt",
  "pullStartedAt",
  "pullStoppedAt",
  "startedAt",
  "connectivityAt",
  "stoppingAt",
  "executionStoppedAt",
  "stoppedAt",
]);
const SERVICE_TIME_KEYS = new Set(["createdAt"]);
const DEPLOYMENT_TIME_KEYS = new Set(["createdAt", "updatedAt"]);
/** FakeTask fields that steer the fake and are not part of the ECS Task shape. */
const FAKE_ONLY_TASK_KEYS = new Set(["id", "onStop", "transitions", "undescribed"]);

export function invalidParameter(message: string): AwsError {
  return new AwsError("InvalidParameterException", message);
}

export function arnPrefix(state: FakeState): string {
  return `arn:aws:ecs:${state.region}:${state.accountId}`;
}

export function clusterArn(state: FakeState, cluster: FakeCluster): string {
  return `${arnPrefix(state)}:cluster/${cluster.name}`;
}

export function serviceArn(state: FakeState, cluster: FakeCluster, name: string): string {
  return `${arnPrefix(state)}:service/${cluster.name}/${name}`;
}

function taskArnFor(state: FakeState, cluster: FakeCluster, id: string): string {
  return `${arnPrefix(state)}:task/${cluster.name}/${id}`;
}

/** The last path segment of an ARN, or the reference itself when it is a plain name or id. */
function lastSegment(ref: string): string {
  return ref.startsWith("arn:") ? ref.slice(ref.lastIndexOf("/") + 1) : ref;
}

/** A cluster by name or ARN (default "default"), or ClusterNotFoundException as ECS answers. */
export function resolveCluster(state: FakeState, ref: string | undefined): FakeCluster {
  const wanted = ref ?? "default";
  let name = wanted;
  if (wanted.startsWith("arn:")) {
    const match = /^arn:aws[a-z-]*:ecs:([^:]+):(\d{12}):cluster\/(.+)$/.exec(wanted);
    name = match && match[1] === state.region && match[2] === state.accountId ? (match[3] ?? "") : "";
  }
  const cluster = state.account.clusters?.find((candidate) => candidate.name === name);
  if (!cluster) throw new AwsError("ClusterNotFoundException", "Cluster not found.");
  ensureTaskArns(state, cluster);
  return cluster;
}

/** Gives every task a full ARN once (from its id, or a stable derived id) so later calls agree. */
function ensureTaskArns(state: FakeState, cluster: FakeCluster): void {
  (cluster.tasks ?? []).forEach((task, index) => {
    if (task.taskArn) return;
    const id = task.id ?? stableId("", `${state.accountId}/${cluster.name}/${index}`, 32, "hex");
    task.taskArn = taskArnFor(state, cluster, id);
  });
}

function taskId(task: FakeTask): string {
  return lastSegment(task.taskArn ?? task.id ?? "");
}

/** Each cluster's tasks by id, built once per task list: a scan per ref made DescribeTasks of 900 tasks quadratic. */
const taskIndexes = new WeakMap<FakeTask[], { size: number; byId: Map<string, FakeTask> }>();

function findTask(cluster: FakeCluster, ref: string): FakeTask | undefined {
  const id = lastSegment(ref);
  const tasks = cluster.tasks ?? [];
  let index = taskIndexes.get(tasks);
  if (index?.size !== tasks.length) {
    const byId = new Map<string, FakeTask>();
    for (const task of tasks) if (!byId.has(taskId(task))) byId.set(taskId(task), task);
    index = { size: tasks.length, byId };
    taskIndexes.set(tasks, index);
  }
  const hit = index.byId.get(id);
  // A test may rewrite a task's ARN after indexing: trust the index only when it still agrees.
  return hit && taskId(hit) === id ? hit : tasks.find((task) => taskId(task) === id);
}

function findService(cluster: FakeCluster, ref: string): FakeService | undefined {
  const name = lastSegment(ref);
  return cluster.services?.find((service) => service.name === name);
}

function withTimes(source: object, timeKeys: Set<string>, skip?: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (skip?.has(key)) continue;
    out[key] = timeKeys.has(key) ? epochSeconds(value) : value;
  }
  return out;
}

function renderTask(state: FakeState, cluster: FakeCluster, task: FakeTask, includeTags: boolean): object {
  const rendered = withTimes(task, TASK_TIME_KEYS, FAKE_ONLY_TASK_KEYS);
  rendered.clusterArn = clusterArn(state, cluster);
  if (!includeTags) delete rendered.tags;
  return rendered;
}

function renderService(state: FakeState, cluster: FakeCluster, service: FakeService): object {
  const { name, deployments, express, ...rest } = service;
  return {
    ...(express ? { resourceManagementType: "ECS" } : {}),
    serviceArn: serviceArn(state, cluster, name),
    serviceName: name,
    clusterArn: clusterArn(state, cluster),
    status: "ACTIVE",
    desiredCount: 0,
    runningCount: 0,
    pendingCount: 0,
    ...withTimes(rest, SERVICE_TIME_KEYS),
    deployments: (deployments ?? []).map((deployment) => withTimes(deployment, DEPLOYMENT_TIME_KEYS)),
  };
}

/** One page of ECS list results; nextToken is tied to the query it came from. */
function ecsPage<T>(
  state: FakeState,
  params: JsonParams,
  all: readonly T[],
  defaultSize: number,
  query: unknown,
) {
  const maxResults = optInt(params, "maxResults");
  if (maxResults !== undefined && (maxResults < 1 || maxResults > 100)) {
    throw invalidParameter("maxResults must be between 1 and 100.");
  }
  const token = optString(params, "nextToken");
  let offset = 0;
  if (token !== undefined) {
    const decoded = decodeToken(token, query);
    if (decoded === undefined) throw invalidParameter("Invalid token");
    offset = decoded;
  }
  const page = pageOf(all, offset, effectivePageSize(maxResults, defaultSize, state.pageSize.ecs));
  return {
    items: page.items,
    nextToken: page.next === undefined ? undefined : encodeToken(page.next, query),
  };
}

function listClusters(state: FakeState, params: JsonParams): object {
  const arns = (state.account.clusters ?? []).map((cluster) => clusterArn(state, cluster));
  const { items, nextToken } = ecsPage(state, params, arns, 100, ["ListClusters"]);
  return { clusterArns: items, nextToken };
}

function describeClusters(state: FakeState, params: JsonParams): object {
  const refs = optStringList(params, "clusters") ?? ["default"];
  if (refs.length > 100) throw invalidParameter("Too many clusters were provided. Maximum is 100.");
  const clusters: object[] = [];
  const failures: object[] = [];
  for (const ref of refs) {
    const name = lastSegment(ref);
    const cluster = state.account.clusters?.find((candidate) => candidate.name === name);
    if (!cluster) {
      failures.push({ arn: `${arnPrefix(state)}:cluster/${name}`, reason: "MISSING" });
      continue;
    }
    clusters.push({
      clusterArn: clusterArn(state, cluster),
      clusterName: cluster.name,
      status: "ACTIVE",
      runningTasksCount: (cluster.tasks ?? []).filter((task) => task.lastStatus === "RUNNING").length,
      pendingTasksCount: (cluster.tasks ?? []).filter((task) => task.lastStatus === "PENDING").length,
      activeServicesCount: (cluster.services ?? []).filter((s) => (s.status ?? "ACTIVE") === "ACTIVE").length,
    });
  }
  return { clusters, failures };
}

function listServices(state: FakeState, params: JsonParams): object {
  const cluster = resolveCluster(state, optString(params, "cluster"));
  const launchType = optString(params, "launchType");
  // ListServices hides DRAINING and INACTIVE services; DescribeServices still shows them.
  const arns = (cluster.services ?? [])
    .filter((service) => (service.status ?? "ACTIVE") === "ACTIVE")
    .filter((service) => launchType === undefined || service.launchType === launchType)
    .map((service) => serviceArn(state, cluster, service.name));
  const query = ["ListServices", cluster.name, launchType];
  const { items, nextToken } = ecsPage(state, params, arns, 10, query);
  return { serviceArns: items, nextToken };
}

function describeServices(state: FakeState, params: JsonParams): object {
  const cluster = resolveCluster(state, optString(params, "cluster"));
  const refs = optStringList(params, "services") ?? [];
  if (refs.length === 0) throw invalidParameter("Services cannot be empty.");
  if (refs.length > 10) throw invalidParameter("Too many services were provided. Maximum is 10.");
  const services: object[] = [];
  const failures: object[] = [];
  for (const ref of refs) {
    const service = findService(cluster, ref);
    if (service) services.push(renderService(state, cluster, service));
    else failures.push({ arn: serviceArn(state, cluster, lastSegment(ref)), reason: "MISSING" });
  }
  return { services, failures };
}

const DESIRED_STATUSES = new Set(["RUNNING", "PENDING", "STOPPED"]);

function listTasks(state: FakeState, params: JsonParams): object {
  const cluster = resolveCluster(state, optString(params, "cluster"));
  const desiredStatus = optString(params, "desiredStatus") ?? "RUNNING";
  if (!DESIRED_STATUSES.has(desiredStatus)) {
    throw invalidParameter(
      `Invalid desiredStatus '${desiredStatus}'. Valid values: RUNNING, PENDING, STOPPED.`,
    );
  }
  const serviceName = optString(params, "serviceName");
  if (serviceName !== undefined && !findService(cluster, serviceName)) {
    throw new AwsError("ServiceNotFoundException", "Service not found.");
  }
  const family = optString(params, "family");
  const startedBy = optString(params, "startedBy");
  const launchType = optString(params, "launchType");
  const arns = (cluster.tasks ?? [])
    .filter((task) => task.desiredStatus === desiredStatus)
    .filter((task) => serviceName === undefined || task.group === `service:${lastSegment(serviceName)}`)
    .filter((task) => family === undefined || task.group === `family:${family}`)
    .filter((task) => startedBy === undefined || task.startedBy === startedBy)
    .filter((task) => launchType === undefined || task.launchType === launchType)
    .map((task) => task.taskArn ?? "");
  const query = ["ListTasks", cluster.name, desiredStatus, serviceName, family, startedBy, launchType];
  const { items, nextToken } = ecsPage(state, params, arns, 100, query);
  return { taskArns: items, nextToken };
}

function describeTasks(state: FakeState, params: JsonParams): object {
  const cluster = resolveCluster(state, optString(params, "cluster"));
  const refs = optStringList(params, "tasks") ?? [];
  if (refs.length === 0) throw invalidParameter("Tasks cannot be empty.");
  if (refs.length > 100) throw invalidParameter("Too many tasks were provided. Maximum is 100.");
  const includeTags = (optStringList(params, "include") ?? []).includes("TAGS");
  const tasks: object[] = [];
  const failures: object[] = [];
  for (const ref of refs) {
    const task = findTask(cluster, ref);
    if (task?.undescribed === "omitted") continue;
    if (task && task.undescribed !== "missing") {
      tasks.push(renderTask(state, cluster, task, includeTags));
      describedCount.set(task, (describedCount.get(task) ?? 0) + 1);
    } else failures.push({ arn: taskArnFor(state, cluster, lastSegment(ref)), reason: "MISSING" });
  }
  return { tasks, failures };
}

/**
 * StopTask: desiredStatus STOPPED at once; lastStatus goes to STOPPED, or to DEPROVISIONING when the task says
 * `onStop: "deprovisioning"` (a test then moves it on by editing `fake.account`).
 */
function stopTask(state: FakeState, params: JsonParams): object {
  const cluster = resolveCluster(state, optString(params, "cluster"));
  const ref = optString(params, "task");
  if (ref === undefined) throw invalidParameter("Task must be specified.");
  const task = findTask(cluster, ref);
  if (!task) throw invalidParameter("The referenced task was not found.");
  if (task.desiredStatus !== "STOPPED") {
    const now = state.now().toISOString();
    task.desiredStatus = "STOPPED";
    task.stopCode = "UserInitiated";
    task.stoppedReason = optString(params, "reason") ?? "Task stopped by user";
    task.stoppingAt = now;
    if (task.onStop === "deprovisioning") {
      task.lastStatus = "DEPROVISIONING";
      task.executionStoppedAt = now;
    } else {
      task.lastStatus = "STOPPED";
      task.executionStoppedAt = now;
      task.stoppedAt = now;
    }
    if (typeof task.version === "number") task.version += 1;
  }
  return { task: renderTask(state, cluster, task, false) };
}
