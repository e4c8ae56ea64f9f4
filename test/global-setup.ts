import { execFileSync } from "node:child_process";

/** Builds the bundle once: the end-to-end tests run what users run. */
export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build.mjs", "--bundle-only"], { stdio: "inherit" });
}
