import type { Facts, TaskFacts, TrailEvent, VolumeFacts } from "../../src/facts/types.ts";
import { ACCOUNT, facts, REGION, role } from "./facts.ts";

/**
 * Facts of an account that grows with `n`: n tasks over 4 clusters and 5 roles (a tenth stopped, a tenth
 * deprovisioning), a volume per task (some leaked), and n CloudTrail events (some failed). For counting how evaluation
 * work grows; the shapes are the collector's.
 */
export function scaledFacts(n: number): Facts {
  const roles = Array.from({ length: 5 }, (_, i) => role(`infra-${i}`));
  const clusters = Array.from({ length: 4 }, (_, c) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/c${c}`);
  const tasks: TaskFacts[][] = clusters.map(() => []);
  const volumes: VolumeFacts[] = [];
  const events: TrailEvent[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % clusters.length;
    const arn = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/c${c}/${i.toString(16).padStart(32, "0")}`;
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/infra-${i % 5}`;
    const volumeId = `vol-${i.toString(16).padStart(17, "0")}`;
    const lastStatus = i % 10 === 0 ? "STOPPED" : i % 10 === 1 ? "DEPROVISIONING" : "RUNNING";
    tasks[c]?.push({
      arn,
      clusterArn: clusters[c] as string,
      group: `service:svc-${i % 20}`,
      lastStatus,
      desiredStatus: lastStatus === "RUNNING" ? "RUNNING" : "STOPPED",
      ...(lastStatus !== "RUNNING"
        ? { stoppingAt: "2026-11-27T10:00:00.000Z", executionStoppedAt: "2026-11-27T10:00:30.000Z" }
        : {}),
      launchType: "FARGATE",
      ebsAttachments: [
        {
          id: `att-${i}`,
          status: lastStatus === "RUNNING" ? "ATTACHED" : "DETACHING",
          roleArn,
          volumeId,
          deleteOnTermination: "true",
        },
      ],
    });
    volumes.push({
      volumeId,
      state: lastStatus === "RUNNING" ? "in-use" : "available",
      createTime: "2026-11-26T00:00:00.000Z",
      size: 100,
      tags: { AmazonECSManaged: "true", AmazonECSCreated: arn },
      attachments:
        lastStatus === "RUNNING"
          ? [{ associatedResource: arn, state: "attached", instanceOwningService: "ecs.amazonaws.com" }]
          : [],
    });
    events.push({
      eventId: `e-${i}`,
      eventName: i % 3 === 0 ? "DeleteVolume" : "DetachVolume",
      eventTime: new Date(Date.parse("2026-11-27T11:00:00.000Z") - i * 1000).toISOString(),
      eventSource: "ec2.amazonaws.com",
      roleArn,
      volumeId,
      ...(i % 7 === 0 ? { errorCode: "Client.UnauthorizedOperation", errorMessage: "denied" } : {}),
    });
  }
  return facts(roles, {
    scope: { clusters: [], services: [], tasks: [], roles: [] },
    ecs: {
      clusters: {
        ok: true,
        value: clusters.map((arn, c) => ({
          arn,
          name: `c${c}`,
          services: {
            ok: true,
            value: Array.from({ length: 20 }, (_, s) => ({
              arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/c${c}/svc-${s}`,
              name: `svc-${s}`,
              status: "ACTIVE",
              infrastructureRoles: [
                {
                  roleArn: `arn:aws:iam::${ACCOUNT}:role/infra-${s % 5}`,
                  use: "ebs" as const,
                  deploymentId: `d-${s}`,
                },
              ],
              deploymentIds: [`d-${s}`],
            })),
          },
          tasks: { ok: true, value: tasks[c] ?? [] },
        })),
      },
    },
    ec2: { volumes: { ok: true, value: volumes } },
    trail: {
      startTime: "2026-11-26T12:00:00.000Z",
      sessions: { ECSTaskVolumesForEBS: { ok: true, value: events } },
    },
  });
}

/** Wraps facts so every property read anywhere inside them is counted: a measure of work that does not time. */
export function countingReads<T extends object>(target: T): { value: T; reads: () => number } {
  let reads = 0;
  const proxies = new WeakMap<object, object>();
  const wrap = (obj: object): object => {
    const seen = proxies.get(obj);
    if (seen) return seen;
    const proxy = new Proxy(obj, {
      get(o, key, receiver) {
        reads++;
        const v = Reflect.get(o, key, receiver);
        return typeof v === "object" && v !== null ? wrap(v) : v;
      },
    });
    proxies.set(obj, proxy);
    return proxy;
  };
  return { value: wrap(target) as T, reads: () => reads };
}
