import type { Writable } from "node:stream";

/** A stage of collection, as a person waiting on a terminal would want it named. */
export interface ProgressEvent {
  stage: string;
  done?: number;
  total?: number;
}

export type ProgressListener = (event: ProgressEvent) => void;

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * One status line on a terminal's stderr while AWS is read ("⠙ Reading IAM roles 3/7"), erased when done. Only for
 * a person at a terminal: never in CI, cron or a pipe, where the logs say what happened.
 */
export function terminalProgress(stream: Writable & { isTTY?: boolean }): {
  listener: ProgressListener;
  stop(): void;
} {
  let frame = 0;
  let text = "";
  const draw = () => {
    stream.write(`\r\u001b[2K${FRAMES[frame++ % FRAMES.length]} ${text}`);
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    listener(event) {
      text = event.total ? `${event.stage} ${event.done ?? 0}/${event.total}` : event.stage;
      draw();
    },
    stop() {
      clearInterval(timer);
      stream.write("\r\u001b[2K");
    },
  };
}
