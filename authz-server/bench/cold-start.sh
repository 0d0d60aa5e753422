#!/usr/bin/env bash
# Cold start to ready as a user starts keymeter: `bin/keymeter serve` from the unpacked distribution,
# a fresh (empty) data directory each run, timed from exec to the first `/readyz` 200. Prints one line
# per run — wall time to ready, and the CPU time the JVM had used by then (user + system, from
# /proc/PID/stat: steadier than wall time when other work shares the cores) — and the medians.
#
#   mvn -B -o -q -DskipTests package        # builds target/keymeter-<version>.tar.gz and its unpacked tree
#   authz-server/bench/cold-start.sh [RUNS]  # default 5 runs; from the repository root
#
# Environment: KEYMETER_JAVA_OPTS is passed on (e.g. to compare JVM options); the launcher's defaults
# apply otherwise. DIST names another unpacked distribution (e.g. a copy of an older build, to
# alternate the two). Ports are free ones on loopback; nothing else is contacted.
set -euo pipefail

runs=${1:-5}
dist=${DIST:-$(ls -d authz-server/target/keymeter-*/keymeter-*/ 2>/dev/null | head -1)}
[ -n "$dist" ] && [ -x "$dist/bin/keymeter" ] || { echo "no unpacked distribution: mvn -B -DskipTests package" >&2; exit 2; }
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now_ms() { date +%s%3N; }
# utime + stime of PID in ms (fields 14 and 15 of /proc/PID/stat, in clock ticks)
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{sub(/.*\) /, ""); print int(($12 + $13) * 1000 / hz)}' "/proc/$1/stat"; }

times=()
cpus=()
for run in $(seq 1 "$runs"); do
  data="$work/data-$run"
  metrics=$(free_port)
  start=$(now_ms)
  "$dist/bin/keymeter" serve --data-dir "$data" --admin-addr "127.0.0.1:$(free_port)" \
    --authz-addr "127.0.0.1:$(free_port)" --metrics-addr "127.0.0.1:$metrics" --console-addr 127.0.0.1:0 \
    --bootstrap-key-file-only > "$work/out-$run" 2> "$work/err-$run" &
  pid=$!
  ready=
  for _ in $(seq 1 3000); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$metrics/readyz" 2>/dev/null)" = 200 ]; then
      ready=$(now_ms); cpu=$(cpu_ms "$pid"); break
    fi
    kill -0 "$pid" 2>/dev/null || { echo "run $run: keymeter exited:" >&2; cat "$work/err-$run" >&2; exit 1; }
    sleep 0.01
  done
  [ -n "$ready" ] || { echo "run $run: not ready within 30 s" >&2; exit 1; }
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  ms=$((ready - start))
  times+=("$ms")
  cpus+=("$cpu")
  echo "run=$run ready_ms=$ms cpu_ms=$cpu $(grep -m1 -o 'warm-up: .*' "$work/err-$run" || true)"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "median_ready_ms=$(median "${times[@]}") median_cpu_ms=$(median "${cpus[@]}") runs=$runs load=$(cut -d' ' -f1-3 /proc/loadavg)"
