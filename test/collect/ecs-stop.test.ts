import type { ECSClient } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { waitUntilStopped } from "../../src/collect/ecs-stop.ts";

/** An ECS client whose DescribeTasks always gives the same answer. */
const answering = (answer: object) => ({ send: async () => answer }) as unknown as ECSClient;

describe("waitUntilStopped", () => {
  it("does not call a task stopped when DescribeTasks leaves it out of the answer", async () => {
    const outcome = await waitUntilStopped(answering({ tasks: [], failures: [] }), "svc", ["t1"], {
      stuckAfterMs: 60_000,
      pollMs: 1,
      stoppedAt: new Date(),
    });
    expect(outcome).toMatchObject({
      kind: "error",
      error: { api: "ecs:DescribeTasks", code: "NotAnswered" },
    });
  });

  it("reports stopped when every task asked about is STOPPED", async () => {
    const task = {
      taskArn: "arn:aws:ecs:us-east-1:111122223333:task/svc/t1",
      clusterArn: "c",
      lastStatus: "STOPPED",
      desiredStatus: "STOPPED",
    };
    const outcome = await waitUntilStopped(answering({ tasks: [task], failures: [] }), "svc", ["t1"], {
      stuckAfterMs: 60_000,
      pollMs: 1,
      stoppedAt: new Date(),
    });
    expect(outcome.kind).toBe("stopped");
  });
});
