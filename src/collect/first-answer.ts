import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ECSClient } from "@aws-sdk/client-ecs";

/**
 * When the reads off ECS's chain may go (collect/index.ts): every other read hangs from ECS (ListClusters → services
 * and tasks → roles → policies), and Organizations, CloudTrail and EC2's volumes, sent beside its first request,
 * held it and its answer back with their chunks' loading and their answers' parsing.
 */
export interface FirstAnswer {
  /** What may load now without holding the first request back: it has been created and is connecting. */
  sent: Promise<void>;
  /** What may be sent now: ECS's first attempt has been answered or has failed (or the hold is over). */
  settled: Promise<void>;
  /** Ends the wait (idempotent): the caller is done with ECS, whether or not it sent anything. */
  release: () => void;
}

/** No ECS read: nothing to wait for. */
export function noFirstAnswer(): FirstAnswer {
  return { sent: Promise.resolve(), settled: Promise.resolve(), release() {} };
}

let firstAnswers = 0;
const REQUEST_CREATED = "http.client.request.start";

/**
 * How long the reads off ECS's chain wait at most for ECS's first answer: far past an ECS round trip (tens of ms),
 * so the critical path is unchanged, yet short beside any --timeout a person would give.
 */
const FIRST_ANSWER_HOLD_MS = 500;

/**
 * The client's first HTTP attempt: `sent` the turn after the run's first HTTP request has been created (its socket
 * is connecting: what loads then no longer holds it back), `settled` once the attempt has been answered or has
 * failed; both at `release()` or after FIRST_ANSWER_HOLD_MS if that comes first. The caller releases it when it is
 * done with the client, so a run that never sends one does not wait.
 */
export function firstAnswer(client: ECSClient): FirstAnswer {
  // One name per run: runs sharing injected clients each watch for their own.
  const name = `ecsPreflightFirstAnswer${++firstAnswers}`;
  let markSent = () => {};
  let markSettled = () => {};
  const sent = new Promise<void>((resolve) => {
    markSent = resolve;
  });
  const settled = new Promise<void>((resolve) => {
    markSettled = resolve;
  });
  // Any request of this process will do (STS may be first): node:http tells when one is created. Not the
  // middleware: the SDK's HTTP handler may still be loading node:http then, a turn or more before the request.
  const onRequest = () => {
    unsubscribe(REQUEST_CREATED, onRequest);
    setImmediate(markSent);
  };
  subscribe(REQUEST_CREATED, onRequest);
  // Not for ever: an ECS slow to answer (throttled at the network, a held connection, a long --timeout) must not
  // hold back what needs no ECS answer (a named role's CloudTrail sessions, whether SCPs apply), or a run that hits
  // --timeout loses them too. Past FIRST_ANSWER_HOLD_MS the main thread is idle anyway: they go.
  const cap = setTimeout(() => {
    markSent();
    markSettled();
  }, FIRST_ANSWER_HOLD_MS);
  cap.unref?.();
  const release = () => {
    clearTimeout(cap);
    client.middlewareStack.remove(name);
    unsubscribe(REQUEST_CREATED, onRequest);
    markSent();
    markSettled();
  };
  // The deserialize step runs inside the retry loop, around each attempt: a throttled first attempt releases the
  // others too.
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } finally {
        // After this turn's promise jobs: ECS's own next requests (the answer's continuation) are sent first.
        setImmediate(release);
      }
    },
    { step: "deserialize", name, priority: "high" },
  );
  return { sent, settled, release };
}
