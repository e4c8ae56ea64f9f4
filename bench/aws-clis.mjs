// The AWS CLIs bench/run.mjs compares against, each by its absolute path and the version it reports: which `aws`
// PATH finds first differs between machines (here a pyenv shim of v1 stands before Debian's v2), and a row must say
// which CLI it measured. The benchmark installs nothing: a CLI that is not there is listed as skipped.
//   BENCH_AWS_CLIS=/usr/local/bin/aws:/opt/aws-v1/bin/aws npm run bench   (other paths instead of the defaults)
import { spawnSync } from "node:child_process";
import { accessSync, constants, realpathSync } from "node:fs";
import { join } from "node:path";
import { SMALL_SHAPE } from "./small-shape.mjs";

/** Debian's awscli package: AWS CLI v2, what AWS ships and what people install. */
const DEBIAN_AWS_CLI = "/usr/bin/aws";

const executable = (path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The first `aws` on PATH, as an absolute path. */
function awsOnPath() {
  for (const dir of (process.env.PATH ?? "").split(":").filter((d) => d.startsWith("/"))) {
    if (executable(join(dir, "aws"))) return join(dir, "aws");
  }
  return undefined;
}

/**
 * Each CLI as { path, label, major, version } when it runs, or { path, label, missing } when not; newest major
 * first. By default Debian's v2 and the first `aws` on PATH, once each.
 */
export function awsClis() {
  const paths = process.env.BENCH_AWS_CLIS
    ? process.env.BENCH_AWS_CLIS.split(":").filter(Boolean)
    : [DEBIAN_AWS_CLI, awsOnPath()].filter(Boolean);
  const seen = new Set();
  const clis = [];
  for (const path of paths) {
    const real = executable(path) ? realpathSync(path) : path;
    if (seen.has(real)) continue;
    seen.add(real);
    clis.push(describe(path));
  }
  return clis.sort((a, b) => (b.major ?? 0) - (a.major ?? 0));
}

function describe(path) {
  const expected = path === DEBIAN_AWS_CLI ? "AWS CLI v2 (Debian's awscli)" : "AWS CLI";
  if (!executable(path)) {
    const hint = path === DEBIAN_AWS_CLI ? " (apt-get install awscli)" : "";
    return { path, label: expected, missing: `not installed${hint}` };
  }
  const run = spawnSync(path, ["--version"], { encoding: "utf8", env: { ...process.env, AWS_PAGER: "" } });
  // Older v1 releases print their version on stderr, v2 on stdout.
  const version = `${run.stdout ?? ""}${run.stderr ?? ""}`.trim().split("\n")[0] ?? "";
  const major = Number(version.match(/^aws-cli\/(\d+)\./)?.[1]);
  if (run.status !== 0 || !major) {
    return { path, label: expected, missing: `does not run (--version: exit ${run.status}, "${version}")` };
  }
  return { path, label: `AWS CLI v${major}`, major, version };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The small account's check against the same reads by each AWS CLI (bench/aws-cli.sh), at 0 and 30 ms a call, as
 * a Markdown section through `say`. `scenario` runs bench/live.ts; each row's runs alternate check and that CLI.
 */
export function comparePeers({ scenario, say, runs }) {
  const clis = awsClis();
  say();
  say("## Against an AWS CLI + jq script doing the same reads (alternating runs)");
  say();
  say(
    `Shape: ${JSON.stringify(SMALL_SHAPE)}. \`bench/aws-cli.sh\` with each AWS CLI by its absolute path; each row's ecs-preflight runs alternate with that CLI's (A B A B, ${runs} each, medians).`,
  );
  say();
  for (const cli of clis) {
    say(
      cli.version
        ? `- ${cli.label}: \`${cli.path}\`, ${cli.version}.`
        : `- ${cli.label} at \`${cli.path}\`: ${cli.missing}, skipped.`,
    );
  }
  say();
  say("| latency | AWS CLI | ecs-preflight | AWS CLI + jq | ratio | target |");
  say("|---:|---|---:|---:|---:|---:|");
  for (const latencyMs of [0, 30]) {
    for (const cli of clis.filter((c) => c.version)) {
      const r = scenario({
        shape: SMALL_SHAPE,
        latencyMs,
        limits: false,
        commands: ["check", { awsCli: cli.path }],
        runs,
      });
      const ours = r.results.filter((x) => x.command === "check");
      const theirs = r.results.filter((x) => x.command === "aws-cli");
      const failed = failures(ours, theirs);
      const oursMs = median(ours.map((x) => x.ms));
      const theirsMs = median(theirs.map((x) => x.ms));
      const ratio = failed.length ? `failed: ${failed.join("; ")}` : `${(theirsMs / oursMs).toFixed(1)}×`;
      say(
        `| ${latencyMs} ms | ${cli.label} | ${(oursMs / 1000).toFixed(2)} s | ${(theirsMs / 1000).toFixed(2)} s | ${ratio} | ${cli.major === 2 ? "≥ 10×" : ""} |`,
      );
    }
  }
}

/** A run that failed, or a script that read fewer tasks than the account has, is no measurement. */
function failures(ours, theirs) {
  return [
    ...new Set([
      ...ours.filter((x) => x.code !== 0).map((x) => `ecs-preflight exit ${x.code}`),
      ...theirs
        .filter((x) => x.code !== 0 || x.tasksRead !== SMALL_SHAPE.tasks)
        .map((x) => `AWS CLI exit ${x.code}, ${x.tasksRead ?? "no"} tasks read`),
    ]),
  ];
}
