#!/usr/bin/env bash
# keymeter's Check beside a no-op Authorization server (same grpc-java, same server settings, same
# JVM), driven by h2load on loopback, side by side in one run: rps, latency percentiles and server CPU
# per call for each, at several concurrencies, alternating rounds so both see the same machine noise.
#
#   authz-server/bench/h2load-check.sh [KEYS] [SECONDS]        (defaults: 1000 keys, 10 s per run)
#   CONCURRENCY="1x1 4x16" ROUNDS=2 authz-server/bench/h2load-check.sh
#
# By default (SHIPPED=1) it measures keymeter as shipped, beside the no-op server: the distribution's
# bin/keymeter, on the launcher's own JVM settings, as "serve" (`bin/keymeter serve`) and "sidecar"
# (`bin/keymeter sidecar` fed by `bin/keymeter control-plane`), each its own process, one key created
# through the CLI (KEYS applies to the harness only). SHIPPED=0 measures the harness instead
# (CheckLoadServers: keymeter's Check in the benchmark's JVM, KEYS keys); REQUEST applies to it.
#   REQUEST=chat authz-server/bench/h2load-check.sh     (budgets on and a chat-completions body, as
#                                                        Envoy's shipped configuration sends it)
#   REQUEST=fleet authz-server/bench/h2load-check.sh    (a key with a requests-per-minute limit it never
#                      reaches, decided by a server counting alone ("keymeter") and by one sharing the
#                      limit through a redis-server the script starts ("fleet"), beside the no-op
#                      server; fleet rounds also print the Redis commands per second they caused)
#
# Needs h2load (Debian: apt-get install nghttp2-client) and builds target/benchmarks.jar when missing.
# Traffic goes only to 127.0.0.1 and the script stops by itself.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

KEYS=${1:-1000}
SECONDS_PER_RUN=${2:-10}
CONCURRENCY=${CONCURRENCY:-"4x16 8x32"}   # connections x streams per connection
ROUNDS=${ROUNDS:-3}
SHIPPED=${SHIPPED:-1}
REQUEST=${REQUEST:-plain}                      # plain: Check alone; chat: budgets and a chat body; fleet
JAR=authz-server/target/benchmarks.jar
source authz-server/bench/chronicle-jvm-flags.sh

command -v h2load >/dev/null || { echo "h2load not found: apt-get install nghttp2-client" >&2; exit 2; }
[ -f "$JAR" ] || mvn -B -q -Pbench -DskipTests package -pl authz-server -am

work=$(mktemp -d)
server_pid=
redis_pid=
shipped_pids=()
cleanup() {
  for pid in "${shipped_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

shape=$REQUEST
store=()
if [ "$REQUEST" = fleet ]; then
  command -v redis-server >/dev/null || { echo "redis-server not found: apt-get install redis-server" >&2; exit 2; }
  shape=limited
  for _ in 1 2 3 4 5; do
    redis_port=$(shuf -i 20000-40000 -n 1)
    redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$work" \
      > "$work/redis.log" 2>&1 &
    redis_pid=$!
    for _ in $(seq 1 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    kill "$redis_pid" 2>/dev/null || true; redis_pid=
  done
  [ -n "$redis_pid" ] || { echo "redis-server did not start:" >&2; cat "$work/redis.log" >&2; exit 1; }
  store=("redis://127.0.0.1:$redis_port")
fi

java "${CHRONICLE_JVM_FLAGS[@]}" -Xms1g -Xmx1g -XX:+UseParallelGC -XX:+AlwaysPreTouch \
     -Dio.grpc.netty.shaded.io.netty.leakDetection.level=disabled \
     -cp "$JAR" dev.keymeter.bench.CheckLoadServers "$work" "$KEYS" "$shape" "${store[@]}" \
     > "$work/server.out" 2> "$work/server.err" &
server_pid=$!
for _ in $(seq 1 240); do
  grep -q '^ready ' "$work/server.out" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
  sleep 0.5
done
ready=$(grep '^ready ' "$work/server.out") || { echo "servers did not start" >&2; exit 1; }
port_keymeter=$(sed -E 's/.*keymeter=([0-9]+).*/\1/' <<<"$ready")
port_noop=$(sed -E 's/.*noop=([0-9]+).*/\1/' <<<"$ready")
port_fleet=$(sed -nE 's/.*fleet=([0-9]+).*/\1/p' <<<"$ready")
body=$(sed -E 's/.*body=([^ ]+).*/\1/' <<<"$ready")
ticks=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Commands Redis ran (those inside scripts included) and script calls (EVALSHA/EVAL: one per key sync
# or heartbeat), as "commands scripts".
redis_commands() {
  redis-cli -p "$redis_port" info commandstats | tr -d '\r' | awk -F'[:=,]' '
    /^cmdstat_/ { total += $3; if ($1 == "cmdstat_evalsha" || $1 == "cmdstat_eval") scripts += $3 }
    END { printf "%d %d\n", total, scripts }'
}

# run NAME PORT CONNECTIONS STREAMS SECONDS [PID] -> prints one result line (PID: whose CPU is counted)
run() {
  local name=$1 port=$2 c=$3 m=$4 secs=$5 pid=${6:-$server_pid} log="$work/$1.log"
  local before after out redis_before redis_after redis_note= data=$body
  [ -f "$work/$name-request.bin" ] && data="$work/$name-request.bin" # the shipped processes' own keys
  rm -f "$log"
  [ "$name" = fleet ] && redis_before=$(redis_commands) # h2load appends to its log file: without this, each run's percentiles include every earlier run's requests
  before=$(cpu_ticks "$pid")
  out=$(h2load -c "$c" -m "$m" -D "$secs" -d "$data" \
        -H 'content-type: application/grpc' -H 'te: trailers' --log-file="$log" \
        "http://127.0.0.1:$port/envoy.service.auth.v3.Authorization/Check" 2>&1)
  after=$(cpu_ticks "$pid")
  if [ "$name" = fleet ]; then
    redis_after=$(redis_commands)
    redis_note=$(awk -v a="$redis_after" -v b="$redis_before" -v s="$secs" 'BEGIN {
      split(a, x, " "); split(b, y, " ")
      printf " redis_scripts_per_s=%.1f redis_cmds_per_s=%.1f", (x[2] - y[2]) / s, (x[1] - y[1]) / s }')
  fi
  local done rps
  done=$(grep -oE '[0-9]+ succeeded' <<<"$out" | grep -oE '[0-9]+')
  rps=$(grep -oE 'finished in [0-9.]+[a-z]+, [0-9.]+ req/s' <<<"$out" | grep -oE '[0-9.]+ req/s' | grep -oE '[0-9.]+')
  read -r p50 p90 p99 < <(cut -f3 "$log" | sort -n | awk '{a[NR]=$1} END {
      printf "%.3f %.3f %.3f\n", a[int(NR*0.50)]/1000, a[int(NR*0.90)]/1000, a[int(NR*0.99)]/1000 }')
  local cpu_us
  cpu_us=$(awk -v t=$((after - before)) -v hz="$ticks" -v n="$done" 'BEGIN { printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0) }')
  printf '%-8s conc=%-5s rps=%-10s p50_ms=%-7s p90_ms=%-7s p99_ms=%-7s cpu_us_per_call=%-6s ok=%s%s\n' \
    "$name" "${c}x${m}" "$rps" "$p50" "$p90" "$p99" "$cpu_us" "$done" "$redis_note"
}

if [ "$SHIPPED" = 1 ]; then
  source authz-server/bench/shipped-processes.sh
  echo "# shipped: serve and sidecar as bin/keymeter starts them, 1 key; seconds=$SECONDS_PER_RUN rounds=$ROUNDS $(nproc) cpus, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# warm-up (5 s each, not reported)"
  run serve "$serve_port" 4 16 5 "$serve_pid" >/dev/null
  run sidecar "$sidecar_port" 4 16 5 "$sidecar_pid" >/dev/null
  run noop "$port_noop" 4 16 5 >/dev/null
  for conc in $CONCURRENCY; do
    c=${conc%x*}; m=${conc#*x}
    for round in $(seq 1 "$ROUNDS"); do
      run serve "$serve_port" "$c" "$m" "$SECONDS_PER_RUN" "$serve_pid"
      run sidecar "$sidecar_port" "$c" "$m" "$SECONDS_PER_RUN" "$sidecar_pid"
      run noop "$port_noop" "$c" "$m" "$SECONDS_PER_RUN"
    done
  done
  exit 0
fi
echo "# keys=$KEYS request=$REQUEST seconds=$SECONDS_PER_RUN rounds=$ROUNDS $(nproc) cpus, $(uname -r)"
echo "# warm-up (5 s each, not reported)"
run keymeter "$port_keymeter" 4 16 5 >/dev/null
[ -n "$port_fleet" ] && run fleet "$port_fleet" 4 16 5 >/dev/null
run noop "$port_noop" 4 16 5 >/dev/null
for conc in $CONCURRENCY; do
  c=${conc%x*}; m=${conc#*x}
  for round in $(seq 1 "$ROUNDS"); do
    run keymeter "$port_keymeter" "$c" "$m" "$SECONDS_PER_RUN"
    [ -n "$port_fleet" ] && run fleet "$port_fleet" "$c" "$m" "$SECONDS_PER_RUN"
    run noop "$port_noop" "$c" "$m" "$SECONDS_PER_RUN"
  done
done
