// `npm run demo`: the full check on the bundled demo account (a snapshot: no AWS, no credentials).
// It finishes cleanly whatever the verdict, and says what exit code a real run would give.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = `${root}dist/ecs-preflight.mjs`;
if (!existsSync(bin)) {
  const built = spawnSync(process.execPath, [`${root}scripts/build.mjs`], { stdio: "inherit" });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
const args = ["check", "--snapshot", `${root}fixtures/demo/account.json`, ...process.argv.slice(2)];
const run = spawnSync(process.execPath, [bin, ...args], { stdio: "inherit" });
const meaning =
  { 0: "safe", 1: "unsafe", 2: "usage or input error", 3: "could not decide" }[run.status] ?? "unexpected";
console.log(
  `\n(demo) ecs-preflight ${args.join(" ").replace(root, "")}\n(demo) a real run on this account would exit ${run.status} (${meaning}); the demo itself exits 0.`,
);
