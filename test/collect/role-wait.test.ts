import { ECSClient } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForRole } from "../../src/collect/role-wait.ts";
import type { FakeTask } from "../fake-aws/account.ts";
import { ACCOUNT_ID, ebsTask, roleArnOf } from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";

/** The wait loop through the real SDK, on a simulated clock: its deadline arithmetic, counted in reads. */

const ROLE = roleArnOf("ecsInfrastructureRole");
let fake: FakeAws;
let ecs: ECSClient;

beforeAll(async () => {
  fake = await startFakeAws({
    accountId: ACCOUNT_ID,
    clusters: [
      { name: "stuck", tasks: [ebsTask({ id: "hung", roleArn: ROLE, lastStatus: "DEPROVISIONING" })] },
      {
        name: "named-by-role-name",
        tasks: [
          ebsTask({ id: "r", roleArn: ROLE, transitions: [{ afterDescribes: 2, lastStatus: "STOPPED" }] }),
        ],
      },
      {
        name: "roleless",
        tasks: [withoutRoleArn(ebsTask({ id: "anon", roleArn: ROLE, lastStatus: "DEPROVISIONING" }))],
      },
    ],
  });
  ecs = new ECSClient(fake.clientConfig());
});
afterAll(async () => {
  ecs.destroy();
  await fake.close();
});

/** The task with its EBS attachment's roleArn detail taken out (the role it holds cannot be told). */
function withoutRoleArn(task: FakeTask): FakeTask {
  type Attachment = { type?: string; details?: { name: string }[] };
  const attachments = (task.attachments ?? []) as Attachment[];
  return {
    ...task,
    attachments: attachments.map((a) =>
      a.type === "AmazonElasticBlockStorage"
        ? { ...a, details: a.details?.filter((d) => d.name !== "roleArn") }
        : a,
    ),
  };
}

/** A clock that moves one poll interval per read, as the real one would between reads. */
function simulated(pollMs: number) {
  let t = 0;
  return { now: () => t, onRead: () => (t += pollMs) };
}

describe("waitForRole", () => {
  it("times out on the last read that starts before the deadline", async () => {
    const clock = simulated(1);
    const outcome = await waitForRole(ecs, {
      role: ROLE,
      clusters: ["stuck"],
      timeoutMs: 5,
      pollMs: 1,
      region: "us-east-1",
      account: ACCOUNT_ID,
      ...clock,
    });
    // Reads at t = 1…5: after the fifth, another read would start past the deadline.
    expect(outcome).toMatchObject({ kind: "timed-out", poll: 5, waitedMs: 5 });
    expect(outcome.tasks.map((t) => t.arn.split("/").pop())).toEqual(["hung"]);
  });

  it("matches a role given by name to the tasks' role ARNs in the account", async () => {
    const outcome = await waitForRole(ecs, {
      role: "ECSInfrastructureRole",
      clusters: ["named-by-role-name"],
      timeoutMs: 60_000,
      pollMs: 1,
      region: "us-east-1",
      account: ACCOUNT_ID,
    });
    expect(outcome).toMatchObject({ kind: "clear", poll: 3 });
  });

  it("a role of the same name in another account is not this one", async () => {
    const outcome = await waitForRole(ecs, {
      role: "ecsInfrastructureRole",
      clusters: ["stuck"],
      timeoutMs: 60_000,
      pollMs: 1,
      region: "us-east-1",
      account: "444455556666",
    });
    expect(outcome).toMatchObject({ kind: "clear", poll: 1 });
  });

  it("an unfinished task whose EBS attachment names no role ends the wait unread, never clear", async () => {
    const outcome = await waitForRole(ecs, {
      role: ROLE,
      clusters: ["roleless"],
      timeoutMs: 60_000,
      pollMs: 1,
      region: "us-east-1",
      account: ACCOUNT_ID,
    });
    expect(outcome).toMatchObject({
      kind: "unread",
      poll: 1,
      unread: [
        { api: "ecs:DescribeTasks", code: "AttachmentWithoutRole", message: expect.stringMatching(/anon/) },
      ],
    });
  });
});
