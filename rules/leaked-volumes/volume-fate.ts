import { stoppingSince } from "../../src/analysis/task-timing.ts";
import { parseArn, shortName } from "../../src/arn/arn.ts";
import type {
  ClusterFacts,
  EbsAttachment,
  FactError,
  Facts,
  Scope,
  TaskFacts,
  VolumeFacts,
} from "../../src/facts/types.ts";

/**
 * What became of an ECS-managed EBS volume: still in use, on its way (being attached, or ECS still retrying its
 * deletion), kept on purpose, or left behind. Read from the volume's own tags and attachments (EC2) and the state
 * of the task that created it (ECS), as aws-facts §1.7 describes them.
 */

/** Reserved tags ECS puts on the volumes it creates (users cannot set them). */
export const ECS_MANAGED_TAG = "AmazonECSManaged";
export const ECS_CREATED_TAG = "AmazonECSCreated";

/** The task a volume was created for, from its AmazonECSCreated tag, and that task's cluster when the ARN names it. */
export interface VolumeOwner {
  taskArn?: string;
  cluster?: string;
}

export function isEcsManaged(volume: VolumeFacts): boolean {
  return volume.tags[ECS_MANAGED_TAG] === "true";
}

/** `arn:…:task/<cluster>/<id>` → its cluster; old-style task ARNs (`task/<id>`) name none. */
function clusterOfTask(taskArn: string): string | undefined {
  const arn = parseArn(taskArn);
  const parts = arn?.service === "ecs" ? arn.resource.split("/") : [];
  return parts[0] === "task" && parts.length === 3 ? parts[1] : undefined;
}

export function ownerOf(volume: VolumeFacts): VolumeOwner {
  const taskArn = volume.tags[ECS_CREATED_TAG] || undefined;
  const cluster = taskArn ? clusterOfTask(taskArn) : undefined;
  return { ...(taskArn ? { taskArn } : {}), ...(cluster ? { cluster } : {}) };
}

/** Where a volume stands against the scope: out of it, or in it with its cluster and task as far as they are known. */
export type Placement =
  | { inScope: false }
  | {
      inScope: true;
      owner: VolumeOwner;
      cluster?: ClusterFacts;
      task?: TaskFacts;
      /** Why the owner task's state cannot be known (its cluster's tasks, or the clusters, could not be read). */
      tasksError?: FactError;
      /** The error's resource: the cluster, or every cluster when ListClusters failed. */
      tasksErrorOn?: string;
    };

/** No --cluster, --service or --task: every cluster in the Region is in scope, including deleted ones. */
export function regionWide(scope: Scope): boolean {
  return !scope.clusters.length && !scope.services.length && !scope.tasks.length;
}

/** Clusters by name and their tasks by id, built once per facts: placing every volume stays linear in the account. */
interface ClusterIndex {
  byName: Map<string, ClusterFacts>;
  tasksById: Map<ClusterFacts, Map<string, TaskFacts>>;
  namedTaskIds: Set<string>;
}

const clusterIndexes = new WeakMap<Facts, ClusterIndex>();

function clusterIndex(facts: Facts, clusters: readonly ClusterFacts[]): ClusterIndex {
  const cached = clusterIndexes.get(facts);
  if (cached) return cached;
  const byName = new Map<string, ClusterFacts>();
  const tasksById = new Map<ClusterFacts, Map<string, TaskFacts>>();
  for (const cluster of clusters) {
    // The first of a name wins, as a linear find did.
    if (!byName.has(cluster.name)) byName.set(cluster.name, cluster);
    const tasks = new Map<string, TaskFacts>();
    for (const t of cluster.tasks.ok ? cluster.tasks.value : []) {
      const id = shortName(t.arn);
      if (!tasks.has(id)) tasks.set(id, t);
    }
    tasksById.set(cluster, tasks);
  }
  const index = { byName, tasksById, namedTaskIds: new Set(facts.scope.tasks.map(shortName)) };
  clusterIndexes.set(facts, index);
  return index;
}

/**
 * Whether the volume is in scope. The cluster in its AmazonECSCreated task ARN must be one in scope (any cluster
 * when the check is Region-wide; a volume whose tag names no cluster is kept, since nothing says it is out). With
 * --service or --task the scope is those tasks, so the volume's task must be one ECS listed for them or one named.
 */
export function placeVolume(facts: Facts, volume: VolumeFacts): Placement {
  const owner = ownerOf(volume);
  const clusters = facts.ecs?.clusters;
  const wide = regionWide(facts.scope);
  if (!clusters?.ok) {
    const error = clusters?.error ?? {
      api: "ecs:ListClusters",
      code: "NotCollected",
      message: "ECS was not looked at",
    };
    return { inScope: true, owner, tasksError: error, tasksErrorOn: "*" };
  }
  const index = clusterIndex(facts, clusters.value);
  const cluster = owner.cluster ? index.byName.get(owner.cluster) : undefined;
  if (!cluster) return wide || !owner.cluster ? { inScope: true, owner } : { inScope: false };
  if (!cluster.tasks.ok)
    return { inScope: true, owner, cluster, tasksError: cluster.tasks.error, tasksErrorOn: cluster.arn };
  const id = owner.taskArn ? shortName(owner.taskArn) : undefined;
  const task = id ? index.tasksById.get(cluster)?.get(id) : undefined;
  const narrowed = facts.scope.services.length > 0 || facts.scope.tasks.length > 0;
  if (narrowed && !task && !(id && index.namedTaskIds.has(id))) return { inScope: false };
  return { inScope: true, owner, cluster, ...(task ? { task } : {}) };
}

/** Why a volume counts as left behind. */
export type LeakReason = "task-stopped" | "task-not-found" | "not-attached-to-its-task";

export type VolumeFate =
  | { kind: "in-use" }
  /** creating, deleting, deleted, error: not attached to nothing and waiting for a delete that will not come. */
  | { kind: "other-state"; state: string }
  /** Its task is still DEPROVISIONING: ECS retries the deletion (tasks-deprovisioning reports a stuck task). */
  | { kind: "deprovisioning"; task: TaskFacts }
  /** A standalone task run with deleteOnTermination=false: ECS keeps the volume by design. */
  | { kind: "retained"; task: TaskFacts }
  /** Too early to judge: its task is starting or stopping, or it (or its task's stop) is younger than the grace. */
  | { kind: "in-transition"; task?: TaskFacts }
  | { kind: "leaked"; reason: LeakReason; task?: TaskFacts; attachment?: EbsAttachment }
  /** Available, but its task's state could not be read. */
  | { kind: "undecided"; error: FactError; on: string };

/** Task states on the way up or down, during which an ECS-managed volume is briefly attached to nothing. */
const TRANSITIONAL = new Set(["PROVISIONING", "PENDING", "ACTIVATING", "DEACTIVATING", "STOPPING"]);
const FINISHED = new Set(["STOPPED", "DELETED"]);
/** Attachment states in which EC2 will not delete the volume. */
const ATTACHED = new Set(["attaching", "attached", "busy", "detaching"]);

function attached(volume: VolumeFacts): boolean {
  return volume.state === "in-use" || volume.attachments.some((a) => a.state && ATTACHED.has(a.state));
}

function younger(at: string | undefined, now: Date, graceMs: number): boolean {
  const ms = at ? Date.parse(at) : Number.NaN;
  return !Number.isNaN(ms) && now.getTime() - ms < graceMs;
}

/**
 * The volume's fate. Only an `available` volume (attached to nothing, so EC2 would delete it) can be leaked; it is
 * when its task is STOPPED, unknown to ECS, or live with no attachment to it, and none of that is younger than
 * `graceMs` (a task that started after ECS was read, or a deletion ECS is about to make, is not a leak).
 */
export function volumeFate(
  volume: VolumeFacts,
  placement: Extract<Placement, { inScope: true }>,
  now: Date,
  graceMs: number,
): VolumeFate {
  if (attached(volume)) return { kind: "in-use" };
  if (volume.state !== "available") return { kind: "other-state", state: volume.state };
  if (placement.tasksError)
    return { kind: "undecided", error: placement.tasksError, on: placement.tasksErrorOn ?? "*" };
  const { task } = placement;
  if (!task) {
    if (younger(volume.createTime, now, graceMs)) return { kind: "in-transition" };
    return { kind: "leaked", reason: "task-not-found" };
  }
  const attachment = task.ebsAttachments.find((a) => a.volumeId === volume.volumeId);
  if (task.lastStatus === "DEPROVISIONING") return { kind: "deprovisioning", task };
  if (TRANSITIONAL.has(task.lastStatus)) return { kind: "in-transition", task };
  if (FINISHED.has(task.lastStatus)) {
    if (attachment?.deleteOnTermination === "false") return { kind: "retained", task };
    if (younger(stoppingSince(task)?.at, now, graceMs)) return { kind: "in-transition", task };
    return { kind: "leaked", reason: "task-stopped", task, ...(attachment ? { attachment } : {}) };
  }
  // A live task: the volume is its own (and briefly detached), or the task uses another volume and this one is spare.
  if (attachment || younger(volume.createTime, now, graceMs)) return { kind: "in-transition", task };
  return { kind: "leaked", reason: "not-attached-to-its-task", task };
}
