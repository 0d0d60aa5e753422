#!/usr/bin/env bash
# A fleet as a platform runs it, under load: one `keymeter control-plane`, three `keymeter sidecar`
# processes started from the shipped jar, one redis-server, a key with `--rpm L`; h2load drives every
# sidecar at once for SECONDS (≤ 60, so the run is one rolling window). Prints, for budgets shared
# through Redis and then counted by each sidecar alone (fresh sidecars, same load):
#   admitted (summed over the sidecars' /metrics) against L and the stated bound, the overshoot,
#   Redis commands and script calls per second per sidecar, and Check answers per second.
#
#   authz-server/bench/fleet-h2load.sh [SECONDS] [RPM]     (defaults: 20 s, rpm 120)
#   CONNECTIONS=2 STREAMS=8 authz-server/bench/fleet-h2load.sh
#
# Needs h2load (apt-get install nghttp2-client) and redis-server; builds the jars when missing.
# Traffic goes only to 127.0.0.1; everything started here is stopped on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

SECONDS_PER_RUN=${1:-20}
RPM=${2:-120}
CONNECTIONS=${CONNECTIONS:-2}
STREAMS=${STREAMS:-8}
SIDECARS=3
JAR=authz-server/target/keymeter.jar
BENCH=authz-server/target/benchmarks.jar

if [ "$SECONDS_PER_RUN" -lt 1 ] || [ "$SECONDS_PER_RUN" -gt 60 ]; then
  echo "SECONDS must be 1-60 (one rolling window), was $SECONDS_PER_RUN" >&2; exit 2
fi
command -v h2load >/dev/null || { echo "h2load not found: apt-get install nghttp2-client" >&2; exit 2; }
command -v redis-server >/dev/null || { echo "redis-server not found: apt-get install redis-server" >&2; exit 2; }
[ -f "$JAR" ] || mvn -B -q -DskipTests package
[ -f "$BENCH" ] || mvn -B -q -Pbench -DskipTests package -pl authz-server -am

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_line FILE PATTERN: until the process writing FILE prints a line matching PATTERN (60 s at most)
wait_line() {
  for _ in $(seq 1 600); do grep -qE "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "no '$2' in $1:" >&2; cat "$1" >&2; exit 1
}

redis_port=$(free_port)
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$work" > "$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done

admin_port=$(free_port)
java -jar "$JAR" control-plane --data-dir "$work/cp" --admin-addr "127.0.0.1:$admin_port" --console-addr 127.0.0.1:0 > "$work/cp.log" 2>&1 &
pids+=($!)
wait_line "$work/cp.log" 'Press Ctrl-C'
admin_key=$(grep -oE 'kma_[0-9A-Za-z]{36}' "$work/cp.log" | head -1)
cli() { KEYMETER_ADMIN_KEY=$admin_key KEYMETER_ADDR=127.0.0.1:$admin_port java -jar "$JAR" "$@"; }
cli projects create load >/dev/null
token=$(cli keys create --project load --name fleet-load --rpm "$RPM" | grep -oE 'km[su]_[0-9A-Za-z]{36}' | head -1)
java -cp "$BENCH" dev.keymeter.bench.CheckRequestFile "$token" "$work/check.bin"

# start_sidecars STORE TAG: three sidecars; sets authz_ports and metrics_ports
start_sidecars() {
  authz_ports=(); metrics_ports=(); sidecar_pids=()
  for i in $(seq 1 "$SIDECARS"); do
    local a m log="$work/sidecar-$2-$i.log"
    a=$(free_port); m=$(free_port)
    java -jar "$JAR" sidecar --data-dir "$work/sidecar-$2-$i" --authz-addr "127.0.0.1:$a" \
      --metrics-addr "127.0.0.1:$m" --control-plane "127.0.0.1:$admin_port" --control-plane-key "$admin_key" \
      --budgets-store "$1" --sidecar-id "load-$i" > "$log" 2>&1 &
    sidecar_pids+=($!); pids+=($!)
    authz_ports+=("$a"); metrics_ports+=("$m")
  done
  for i in $(seq 1 "$SIDECARS"); do wait_line "$work/sidecar-$2-$i.log" 'Press Ctrl-C'; done
  for m in "${metrics_ports[@]}"; do
    for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$m/readyz" >/dev/null && break; sleep 0.1; done
  done
}
stop_sidecars() {
  for p in "${sidecar_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${sidecar_pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
# allowed and rate-limited Checks summed over the sidecars: "allowed limited"
decisions() {
  for m in "${metrics_ports[@]}"; do curl -s "http://127.0.0.1:$m/metrics"; done | awk '
    /^keymeter_checks_total\{/ && /decision="allowed"/ { a += $NF }
    /^keymeter_checks_total\{/ && /reason="requests_per_minute"/ { l += $NF }
    END { printf "%d %d\n", a, l }'
}
redis_commands() {
  redis-cli -p "$redis_port" info commandstats | tr -d '\r' | awk -F'[:=,]' '
    /^cmdstat_/ { total += $3; if ($1 == "cmdstat_evalsha" || $1 == "cmdstat_eval") scripts += $3 }
    END { printf "%d %d\n", total, scripts }'
}

# run NAME: h2load on every sidecar at once; prints one result line
run() {
  local before after r_before r_after
  read -r a0 l0 < <(decisions)
  r_before=$(redis_commands)
  local outs=()
  for i in $(seq 0 $((SIDECARS - 1))); do
    h2load -c "$CONNECTIONS" -m "$STREAMS" -D "$SECONDS_PER_RUN" -d "$work/check.bin" \
      -H 'content-type: application/grpc' -H 'te: trailers' \
      "http://127.0.0.1:${authz_ports[$i]}/envoy.service.auth.v3.Authorization/Check" > "$work/h2load-$1-$i.out" 2>&1 &
    outs+=($!)
  done
  for p in "${outs[@]}"; do wait "$p"; done
  read -r a1 l1 < <(decisions)
  r_after=$(redis_commands)
  local rps
  rps=$(cat "$work"/h2load-"$1"-*.out | grep -oE 'finished in [0-9.]+[a-z]+, [0-9.]+ req/s' \
        | grep -oE '[0-9.]+ req/s' | awk '{s += $1} END {printf "%.0f", s}')
  local admitted=$((a1 - a0)) limited=$((l1 - l0))
  # Bound for a fleet rate far above L: L + ⌊L·(N − 1)/N⌋ + N.
  local bound=$((RPM + RPM * (SIDECARS - 1) / SIDECARS + SIDECARS))
  awk -v name="$1" -v adm="$admitted" -v lim="$limited" -v L="$RPM" -v b="$bound" -v rps="$rps" \
      -v ra="$r_after" -v rb="$r_before" -v s="$SECONDS_PER_RUN" -v n="$SIDECARS" 'BEGIN {
    split(ra, x, " "); split(rb, y, " ")
    printf "%-6s checks_per_s=%-8s admitted=%-6d limited=%-8d L=%d bound=%d overshoot=%d redis_cmds_per_s_per_sidecar=%.1f redis_scripts_per_s_per_sidecar=%.1f\n",
      name, rps, adm, lim, L, b, (adm > L ? adm - L : 0), (x[1] - y[1]) / s / n, (x[2] - y[2]) / s / n }'
}

echo "# fleet of $SIDECARS sidecars, rpm $RPM, h2load -c $CONNECTIONS -m $STREAMS on each for $SECONDS_PER_RUN s; $(nproc) cpus"
start_sidecars "redis://127.0.0.1:$redis_port" shared
run shared
stop_sidecars
start_sidecars local local
run local
stop_sidecars
