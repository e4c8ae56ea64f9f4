/**
 * Live collection against the local fake AWS (bundled by bench/run.mjs): an account of `clusters` clusters with
 * `tasksPerCluster` tasks each, `roles` infrastructure roles, and CloudTrail events. Prints one JSON line per run.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FakeAccount } from "../test/fake-aws/account.ts";
import {
  ACCOUNT_ID,
  awsManagedVolumesPolicy,
  ebsService,
  ebsTask,
  infrastructureRole,
  roleArnOf,
  trailEvent,
} from "../test/fake-aws/builders.ts";
import { startFakeAws } from "../test/fake-aws/server.ts";

function account(clusters: number, tasksPerCluster: number, roles: number): FakeAccount {
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
  return {
    accountId: ACCOUNT_ID,
    roles: Array.from({ length: roles }, (_, i) => infrastructureRole({ name: `role-${i}` })),
    managedPolicies: [awsManagedVolumesPolicy()],
    clusters: Array.from({ length: clusters }, (_, c) => ({
      name: `cluster-${c}`,
      services: Array.from({ length: roles }, (_, r) =>
        ebsService({ name: `svc-${r}`, roleArn: roleArnOf(`role-${r}`) }),
      ),
      tasks: Array.from({ length: tasksPerCluster }, (_, t) =>
        ebsTask({
          id: `c${c}t${t}`,
          roleArn: roleArnOf(`role-${t % roles}`),
          service: `svc-${t % roles}`,
          volumeId: `vol-${c}-${t}`,
          ...(t % 10 === 0 ? { lastStatus: "STOPPED", attachmentStatus: "DELETED" } : {}),
        }),
      ),
    })),
    trailEvents: Array.from({ length: 120 }, (_, i) =>
      trailEvent({
        eventName: i % 2 ? "DeleteVolume" : "DetachVolume",
        eventTime: minutesAgo(i + 1),
        roleArn: roleArnOf(`role-${i % roles}`),
        volumeId: `vol-0-${i}`,
      }),
    ),
  };
}

const [clusters = 2, tasksPerCluster = 500, roles = 10] = process.argv.slice(2).map(Number);
const fake = await startFakeAws(account(clusters, tasksPerCluster, roles));
const env = { ...process.env, ...fake.env(), ECS_PREFLIGHT_LOG_LEVEL: "silent" };
const file = join(mkdtempSync(join(tmpdir(), "bench-live-")), "facts.json");
// Asynchronous on purpose: the fake answers from this process's event loop, which spawnSync would block.
const time = (args: string[]) =>
  new Promise<{ ms: number; code: number | null }>((resolve) => {
    const started = performance.now();
    spawn(process.execPath, ["dist/ecs-preflight.mjs", ...args], { env, stdio: "ignore" }).on(
      "close",
      (code) => resolve({ ms: performance.now() - started, code }),
    );
  });
const live = await time(["check", "--format", "json"]);
const requests = fake.requests.length;
const byAction: Record<string, number> = {};
for (const r of fake.requests)
  byAction[`${r.service}:${r.action}`] = (byAction[`${r.service}:${r.action}`] ?? 0) + 1;
await time(["snapshot", "--out", file]);
const offline = await time(["check", "--snapshot", file, "--format", "json"]);
console.log(
  JSON.stringify({
    clusters,
    tasksPerCluster,
    roles,
    liveMs: live.ms,
    liveCode: live.code,
    offlineMs: offline.ms,
    requests,
    byAction,
  }),
);
await fake.close();
