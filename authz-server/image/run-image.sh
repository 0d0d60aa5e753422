#!/usr/bin/env bash
# Runs keymeter's OCI image without a container engine or a registry, and checks that it serves.
#
#   sudo authz-server/image/run-image.sh            # as root (chroot, mounts); from any directory
#   REUSE_IMAGE=1 authz-server/image/run-image.sh   # run authz-server/target/keymeter-image.tar as it is
#
# 1. Base image: Debian bookworm (minbase) with openjdk-17-jdk-headless, made with debootstrap and
#    packed with umoci and skopeo into a docker-archive tar, cached in $BASE_DIR/base.tar (default
#    authz-server/target/image-base/; delete it to rebuild). Downloads from the Debian mirror apt uses
#    ($DEBIAN_MIRROR overrides it); a few minutes, once.
# 2. The image: Jib (`-Pimage`, `jib:buildTar`) against that base, offline -> authz-server/target/
#    keymeter-image.tar, unless REUSE_IMAGE=1 (or IMAGE_TAR=PATH names another image tar).
# 3. Runs it as a container engine would: unpacks it with umoci, takes the entrypoint, command, user,
#    environment and working directory from the image's configuration, bind-mounts the root
#    filesystem on itself (so / is a mount point, as in a container), mounts /proc and a minimal
#    /dev (null, zero, full, random, urandom, tty) into the root filesystem, and starts the entrypoint
#    under chroot as the image's user. /data is the image's own /data, as a fresh volume gets it. The
#    listeners are moved to free loopback ports (KEYMETER_*_LISTEN, which the image sets to 0.0.0.0),
#    so nothing is exposed; the bootstrap key goes only to its file (KEYMETER_BOOTSTRAP_KEY_FILE_ONLY).
#    IMAGE_USER=UID:GID runs it as another user (docker run --user); READ_ONLY_ROOT=1 as the
#    Kubernetes kit does (read-only root, /data and /tmp empty volumes).
# 4. Waits for /readyz 200 (at most $READY_TIMEOUT s, default 120), then, in the same root filesystem
#    as the same user, creates a project and a key, lists the keys and sends one Check with that key
#    (`keymeter check`), printing what they print (tokens withheld).
#    It then stops the process (SIGTERM) and starts it again on the same /data, as a restarted
#    container would, and checks that the key is still allowed. The last line sums it up:
#      image ran: ready in N ms, keys list OK, check ALLOW; restarted on its /data: ready in M ms, check ALLOW
# Exits 0 on success, 1 on a failure, 2 when a tool is missing or the script is not run as root.
# Everything it mounted is unmounted and its temporary directory removed, on failure too. Traffic
# goes to 127.0.0.1 only, once the base image exists.
set -euo pipefail

cd "$(dirname "$0")/../.."
repo=$PWD
base_dir=${BASE_DIR:-$repo/authz-server/target/image-base}
image_tar=${IMAGE_TAR:-$repo/authz-server/target/keymeter-image.tar}
ready_timeout=${READY_TIMEOUT:-120}
started_at=$(date +%s)

say() { echo "run-image: $*"; }
fail() { echo "run-image: FAILED: $*" >&2; exit 1; }

missing=()
for tool in debootstrap umoci skopeo; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "run-image: missing ${missing[*]}; install them with:" >&2
  echo "  apt-get install -y ${missing[*]}" >&2
  exit 2
fi
for tool in chroot mount umount curl python3 mvn; do
  command -v "$tool" >/dev/null 2>&1 || { echo "run-image: $tool is needed and not on PATH" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "run-image: run as root (chroot and mount need it)" >&2; exit 2; }

work=$(mktemp -d /tmp/keymeter-image.XXXXXX)
rootfs=$work/bundle/rootfs
pid=
# stop PID: SIGTERM, at most 30 s for a graceful stop, then SIGKILL; prints how long it took (ms).
stop() {
  local t0
  t0=$(date +%s%3N)
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 1 300); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
  echo $(( $(date +%s%3N) - t0 ))
}
cleanup() {
  local rc=$?
  set +e # every step below runs, whatever an earlier one returned (a grep finding no mount)
  [ -n "$pid" ] && stop "$pid" > /dev/null
  # Anything else still running inside the image's root was started here: stop it by its id.
  local proc
  for proc in /proc/[0-9]*; do
    [ "$(readlink "$proc/root" 2>/dev/null)" = "$rootfs" ] && stop "${proc#/proc/}" > /dev/null
  done
  local dir
  for dir in "$work" ${base_work:+"$base_work"}; do
    # Deepest first: the device binds under the /dev tmpfs, then /dev and /proc (debootstrap's too).
    grep -o " $dir/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount "$m" || umount -l "$m"; done
    if grep -q " $dir" /proc/mounts; then
      echo "run-image: still mounted under $dir; left in place" >&2
    else
      rm -rf --one-file-system "$dir"
    fi
  done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- 1. the base image -------------------------------------------------------------------------
debian_mirror() {
  [ -n "${DEBIAN_MIRROR:-}" ] && { echo "$DEBIAN_MIRROR"; return; }
  local m
  m=$(grep -hsE '^URIs:.*/debian/?$' /etc/apt/sources.list.d/*.sources | head -1 | awk '{print $2}')
  [ -n "$m" ] || m=$(grep -hsE '^deb .*/debian/? bookworm' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    | head -1 | awk '{print $2}')
  echo "${m:-http://deb.debian.org/debian}"
}

build_base() {
  local mirror
  mirror=$(debian_mirror)
  base_work=$(mktemp -d "$base_dir/build.XXXXXX")
  say "base: debootstrap bookworm (minbase, openjdk-17-jdk-headless) from $mirror; a minute or more"
  timeout 1800 debootstrap --variant=minbase --include=openjdk-17-jdk-headless bookworm \
    "$base_work/rootfs" "$mirror" > "$base_work/debootstrap.log" 2>&1 \
    || { tail -20 "$base_work/debootstrap.log" >&2; fail "debootstrap (log above)"; }
  say "base: debootstrap done in $(( $(date +%s) - started_at )) s"
  # The build machine's name and resolver are not the image's: a container engine supplies them.
  chroot "$base_work/rootfs" apt-get clean
  rm -rf --one-file-system "$base_work/rootfs/var/lib/apt/lists/"* "$base_work/rootfs/etc/hostname" \
    "$base_work/rootfs/etc/resolv.conf" "$base_work/rootfs/dev/"*
  say "base: packing it with umoci and skopeo"
  umoci init --layout "$base_work/oci"
  umoci new --image "$base_work/oci:base"
  umoci unpack --image "$base_work/oci:base" "$base_work/bundle" > /dev/null
  cp -a "$base_work/rootfs/." "$base_work/bundle/rootfs/"
  umoci repack --image "$base_work/oci:base" "$base_work/bundle"
  skopeo copy --quiet "oci:$base_work/oci:base" "docker-archive:$base_work/base.tar:keymeter-base:latest"
  mv "$base_work/base.tar" "$base_dir/base.tar"
  rm -rf --one-file-system "$base_work"
  base_work=
  say "base: $base_dir/base.tar ($(( $(stat -c %s "$base_dir/base.tar") / 1048576 )) MB)"
}

mkdir -p "$base_dir"
if [ -f "$base_dir/base.tar" ]; then
  say "base: reusing $base_dir/base.tar"
elif [ "${REUSE_IMAGE:-0}" = 1 ] && [ -f "$image_tar" ]; then
  say "base: not needed (REUSE_IMAGE=1)"
else
  build_base
fi

# --- 2. the image ------------------------------------------------------------------------------
if [ "${REUSE_IMAGE:-0}" = 1 ] || [ -n "${IMAGE_TAR:-}" ]; then
  [ -f "$image_tar" ] || fail "no image at $image_tar"
  say "image: reusing $image_tar"
else
  say "image: mvn -B -o -Pimage -Dkeymeter.image.base=tar://$base_dir/base.tar -DskipTests package -pl authz-server -am"
  t0=$(date +%s)
  timeout 1800 mvn -B -o -Pimage "-Dkeymeter.image.base=tar://$base_dir/base.tar" -DskipTests package \
    -pl authz-server -am > "$work/mvn.log" 2>&1 || { tail -40 "$work/mvn.log" >&2; fail "image build (log above)"; }
  say "image: built in $(( $(date +%s) - t0 )) s"
fi
say "image: $image_tar ($(( $(stat -c %s "$image_tar") / 1048576 )) MB)"

# --- 3. unpack and start it --------------------------------------------------------------------
skopeo copy --quiet "docker-archive:$image_tar" "oci:$work/oci:keymeter"
umoci unpack --image "$work/oci:keymeter" "$work/bundle" > /dev/null
# umoci writes the image's Entrypoint + Cmd, Env, User and WorkingDir as a runtime spec.
spec() { python3 - "$work/bundle/config.json" "$1" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))["process"]
what = sys.argv[2]
if what == "args": print("\0".join(p["args"]), end="")
elif what == "env": print("\0".join(p.get("env", [])), end="")
elif what == "user": print("%d:%d" % (p["user"]["uid"], p["user"]["gid"]))
elif what == "cwd": print(p.get("cwd") or "/")
EOF
}
mapfile -d '' image_args < <(spec args)
mapfile -d '' image_env < <(spec env)
user=$(spec user)
cwd=$(spec cwd)
say "image config: entrypoint+cmd=${image_args[*]} user=$user cwd=$cwd"
say "image config: /data is $(stat -c '%a %u:%g' "$rootfs/data")"
if [ -n "${IMAGE_USER:-}" ]; then
  [[ $IMAGE_USER =~ ^[0-9]+:[0-9]+$ ]] || fail "IMAGE_USER must be UID:GID (numbers), not '$IMAGE_USER'"
  user=$IMAGE_USER
  say "running as $user (IMAGE_USER), as docker run --user or a pod's runAsUser would"
fi

# What a container engine provides: a root that is a mount point (the JDK's FileStore, which
# Chronicle Map asks, looks the path up in /proc/self/mounts, and a chroot into a plain directory has
# no entry for /), /proc, a minimal /dev, and a hosts file naming this machine.
mount --bind "$rootfs" "$rootfs"
mkdir -p "$rootfs/proc" "$rootfs/dev"
mount -t proc proc "$rootfs/proc"
mount -t tmpfs -o mode=755,nosuid tmpfs "$rootfs/dev"
for dev in null zero full random urandom tty; do
  touch "$rootfs/dev/$dev"
  mount --bind "/dev/$dev" "$rootfs/dev/$dev"
done
printf '127.0.0.1\tlocalhost %s\n::1\tlocalhost ip6-localhost\n' "$(hostname)" > "$rootfs/etc/hosts"
if [ "${READ_ONLY_ROOT:-0}" = 1 ]; then
  # As the Kubernetes kit runs it: readOnlyRootFilesystem, /data and /tmp empty volumes (emptyDir:
  # 0777, with the pod's fsGroup - here the user's group - as group and the setgid bit).
  for vol in data tmp; do
    mkdir -p "$work/volume-$vol" "$rootfs/$vol"
    chown "0:${user#*:}" "$work/volume-$vol"
    chmod 2777 "$work/volume-$vol"
    mount --bind "$work/volume-$vol" "$rootfs/$vol"
  done
  mount -o remount,bind,ro "$rootfs"
  say "read-only root (READ_ONLY_ROOT=1); /data and /tmp are empty volumes, 2777 0:${user#*:}"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
admin=127.0.0.1:$(free_port)
authz=127.0.0.1:$(free_port)
metrics=127.0.0.1:$(free_port)
console=127.0.0.1:$(free_port)
# The image's environment, then the loopback listeners over its 0.0.0.0 ones.
run_env=("${image_env[@]}" "KEYMETER_ADMIN_LISTEN=$admin" "KEYMETER_AUTHZ_LISTEN=$authz"
  "KEYMETER_METRICS_LISTEN=$metrics" "KEYMETER_CONSOLE_LISTEN=$console")
# image_cmd [VAR=VALUE...] -- CMD...: sets cmd to run CMD in the image's root, as its user, in its
# working directory, with the image's environment (and VAR=VALUE). Each step execs the next, so the
# process started from cmd ends as the JVM itself, which a signal to its pid reaches.
image_cmd() {
  local extra=()
  while [ "$1" != -- ]; do extra+=("$1"); shift; done
  shift
  cmd=(env -i "${run_env[@]}" "${extra[@]}" chroot --userspec="$user" "$rootfs"
    /bin/sh -c 'cd "$0" && exec "$@"' "$cwd" "$@")
}
in_image() { image_cmd "$@"; "${cmd[@]}"; }

now_ms() { date +%s%3N; }
# start_process RUN: starts the image's entrypoint and command in the background (log in RUN.out/err).
start_process() {
  start=$(now_ms)
  image_cmd KEYMETER_BOOTSTRAP_KEY_FILE_ONLY=true -- "${image_args[@]}"
  "${cmd[@]}" > "$work/$1.out" 2> "$work/$1.err" &
  pid=$!
  say "started: ${image_args[*]} as $user (pid $pid), admin $admin, ext_authz $authz, metrics $metrics"
}
# wait_ready RUN: sets ready_ms once /readyz answers 200; fails if the process exits or time runs out.
wait_ready() {
  ready_ms=
  while [ $(( $(now_ms) - start )) -lt $(( ready_timeout * 1000 )) ]; do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$metrics/readyz" 2>/dev/null)" = 200 ]; then
      ready_ms=$(( $(now_ms) - start )); break
    fi
    kill -0 "$pid" 2>/dev/null || { cat "$work/$1.err" >&2; fail "the image's process exited (stderr above)"; }
    sleep 0.1
  done
  [ -n "$ready_ms" ] || { tail -30 "$work/$1.err" >&2; fail "not ready within $ready_timeout s (stderr above)"; }
  say "ready: /readyz 200 after $ready_ms ms"
}
# stop_process RUN: SIGTERM, then what the process logged as warnings or errors (errors fail).
stop_process() {
  local stop_ms status=0
  stop_ms=$(stop "$pid")
  wait "$pid" || status=$?
  pid=
  say "stopped: SIGTERM -> exit $status in $stop_ms ms"
  say "process log: $(wc -l < "$work/$1.err") lines; its warnings and errors:"
  grep -E " (WARNING|SEVERE|ERROR) |^error" "$work/$1.err" || echo "  (none)"
  if grep -qE " (SEVERE|ERROR) |^error" "$work/$1.err"; then fail "the process logged errors (above)"; fi
}
# check_allowed: `keymeter check` with the new key until it is allowed (serve's sidecar applies a
# new key from the control plane's change feed, and loads its replica after a restart); at most 10 s.
check_allowed() {
  local allowed=
  say "\$ keymeter check --addr $authz --method GET --path /v1/models   (KEYMETER_TOKEN=the new key)"
  for _ in $(seq 1 50); do
    if in_image "KEYMETER_TOKEN=$token" -- keymeter check --addr "$authz" --method GET --path /v1/models \
        > "$work/check.txt" 2>&1; then
      allowed=1; break
    fi
    sleep 0.2
  done
  cat "$work/check.txt"
  [ -n "$allowed" ] || fail "keymeter check did not allow the new key (output above)"
  grep -q "decision *: allowed" "$work/check.txt" || fail "keymeter check exited 0 without 'decision: allowed'"
}

start_process first
# --- 4. ready, then the CLI inside the image ---------------------------------------------------
wait_ready first
first_ready_ms=$ready_ms

key_file=/data/keymeter/bootstrap-admin-key
admin_key=$(in_image -- cat "$key_file") || fail "cannot read $key_file as $user"
cli() { in_image "KEYMETER_ADMIN_KEY=$admin_key" "KEYMETER_ADDR=$admin" -- keymeter "$@"; }
# json_field KEY...: the value at that path of the JSON on stdin.
json_field() { python3 -c 'import functools,json,sys; print(functools.reduce(lambda d,k: d[k], sys.argv[1:], json.load(sys.stdin)))' "$@"; }

project=image-run
cli projects create "$project" --output json > "$work/project.json" || fail "keymeter projects create"
say "\$ keymeter projects create $project  -> project $(json_field project id < "$work/project.json") (token withheld)"
cli keys create --project "$project" --name image-check --allow models=read --rpm 60 --output json \
  > "$work/key.json" || fail "keymeter keys create"
token=$(json_field token < "$work/key.json")
key_id=$(json_field key id < "$work/key.json")
say "\$ keymeter keys create --project $project --name image-check --allow models=read --rpm 60  -> $key_id (token withheld)"

say "\$ keymeter keys list --project $project"
cli keys list --project "$project" | tee "$work/list.txt"
grep -q "$key_id" "$work/list.txt" || fail "keys list does not show $key_id"
check_allowed
stop_process first

# A container restarted on the same volume: the same data, the key still allowed.
start_process restart
wait_ready restart
check_allowed
stop_process restart
if grep -rqs "$token" "$work"/*.out "$work"/*.err "$work/check.txt" "$work/list.txt"; then
  fail "a token appeared in the process's output or the CLI's"
fi

echo "image ran: ready in $first_ready_ms ms, keys list OK, check ALLOW; restarted on its /data: ready in $ready_ms ms, check ALLOW ($(( $(date +%s) - started_at )) s in all)"
