import { subscribe, unsubscribe } from "node:diagnostics_channel";

/** The commands that read AWS (unless given --snapshot): their memory is the answers', after start-up. */
const LIVE_COMMANDS = new Set(["check", "snapshot", "stop", "wait", "targets"]);

/**
 * Trades some CPU for memory: AWS's answers (and a snapshot's parse) are short-lived garbage, and V8 left to its
 * defaults grows the heap for them. A young generation kept at its size, and V8's optimize-for-size mode, cut the
 * peak at 10,000 tasks by ≈45 MB (≈170 → ≈125 MB) for ≈0.15 s more CPU in evaluation (bench/RESULTS.md). Both are
 * read as the heap works, so setting them late still takes effect.
 *
 * For a command that reads AWS they are set when its first request leaves: loading the CLI and the SDK (most of the
 * garbage before that request) under them cost ≈35 ms of CPU on Node 22, all of it before the first request, and
 * what start-up allocated is small beside an account's answers. Any other command (an offline check, whose
 * snapshot's parse is its peak) sets them at once.
 */
export function sizeModeFor(argv: readonly string[]): void {
  if (sizeModeFrom(argv) === "now") {
    sizeMode();
    return;
  }
  // After the request is on its way: loading node:v8 (a few ms) must not hold the first request back.
  const onRequest = () => {
    unsubscribe("http.client.request.start", onRequest);
    setImmediate(sizeMode);
  };
  subscribe("http.client.request.start", onRequest);
}

/** When the command line's process enters size mode: at its first AWS request when it reads AWS, else at once. */
export function sizeModeFrom(argv: readonly string[]): "now" | "first-request" {
  // The first word that is not an option: a global option's value before the command reads as no live command.
  const command = argv.find((a) => !a.startsWith("-"));
  return command && LIVE_COMMANDS.has(command) && !argv.includes("--snapshot") ? "first-request" : "now";
}

function sizeMode(): void {
  // Loaded here, not at start-up: every command but an offline one needs it only once a request has left.
  const { setFlagsFromString } = process.getBuiltinModule("node:v8");
  setFlagsFromString("--semi-space-growth-factor=1");
  setFlagsFromString("--optimize-for-size");
}
