# Sourced by h2load-check.sh (SHIPPED=1): starts keymeter as the distribution ships it, with the
# launcher's own JVM settings (KEYMETER_JAVA_OPTS is cleared), and writes the Check request h2load
# sends ($body, replacing the harness's). Sets serve_port, serve_pid, sidecar_port, sidecar_pid.
#   serve:    bin/keymeter serve
#   sidecar:  bin/keymeter sidecar following bin/keymeter control-plane (a sidecar credential)
# Each process's pid is the JVM's (the launcher execs), so its CPU is counted alone.

dist=$(ls -d authz-server/target/keymeter-*/keymeter-*/ 2>/dev/null | head -1)
[ -n "$dist" ] && [ -x "$dist/bin/keymeter" ] || { echo "no unpacked distribution: mvn -B -DskipTests package" >&2; exit 2; }
launcher="$dist/bin/keymeter"
unset KEYMETER_JAVA_OPTS

# start_process NAME ARGS... : starts bin/keymeter ARGS in the background, waits for its banner's last line
start_process() {
  local name=$1; shift
  "$launcher" "$@" > "$work/$name.out" 2> "$work/$name.err" &
  local pid=$!
  shipped_pids+=("$pid")
  for _ in $(seq 1 240); do
    grep -q '^Press Ctrl-C' "$work/$name.out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { echo "$name did not start:" >&2; cat "$work/$name.err" >&2; exit 1; }
    sleep 0.5
  done
  grep -q '^Press Ctrl-C' "$work/$name.out" || { echo "$name did not start in 120 s" >&2; exit 1; }
  eval "${name}_pid=$pid"
}
banner_port() { sed -nE "s/^  $2 *: 127\.0\.0\.1:([0-9]+).*/\1/p" "$work/$1.out" | head -1; }
await_ready() {
  for _ in $(seq 1 240); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz")" = 200 ] && return 0
    sleep 0.5
  done
  echo "not ready: metrics port $1" >&2; exit 1
}
loopback=(--admin-addr 127.0.0.1:0 --authz-addr 127.0.0.1:0 --metrics-addr 127.0.0.1:0 --console-addr 127.0.0.1:0)

mkdir -m 700 "$work/serve" "$work/cp" "$work/sidecar"
start_process serve serve --data-dir "$work/serve" --bootstrap-key-file-only "${loopback[@]}"
serve_port=$(banner_port serve ext_authz)
await_ready "$(banner_port serve metrics)"
start_process cp control-plane --data-dir "$work/cp" --bootstrap-key-file-only --admin-addr 127.0.0.1:0 \
  --metrics-addr 127.0.0.1:0 --console-addr 127.0.0.1:0
cp_admin=$(banner_port cp 'admin API')

# One key on each control plane (the same request file serves both: the token differs, so two files).
new_key() { # ADMIN_PORT DATA_DIR -> token
  local key; key=$(grep -o 'kma_[0-9A-Za-z]*' "$2/bootstrap-admin-key")
  KEYMETER_ADMIN_KEY=$key "$launcher" projects create bench --addr "127.0.0.1:$1" >/dev/null
  KEYMETER_ADMIN_KEY=$key "$launcher" keys create --project bench --name h2load --allow chat_completions=write \
    --addr "127.0.0.1:$1" | grep -o 'km[aus]_[0-9A-Za-z]\{36\}' | head -1
}
serve_token=$(new_key "$(banner_port serve 'admin API')" "$work/serve")
sidecar_token=$(new_key "$cp_admin" "$work/cp")
credential=$(KEYMETER_ADMIN_KEY=$(grep -o 'kma_[0-9A-Za-z]*' "$work/cp/bootstrap-admin-key") \
  "$launcher" sidecars create h2load --addr "127.0.0.1:$cp_admin" | grep -o 'kmc_[0-9A-Za-z]*' | head -1)
KEYMETER_CONTROL_PLANE_KEY=$credential start_process sidecar sidecar --data-dir "$work/sidecar" \
  --control-plane "127.0.0.1:$cp_admin" --authz-addr 127.0.0.1:0 --metrics-addr 127.0.0.1:0
sidecar_port=$(banner_port sidecar ext_authz)
await_ready "$(banner_port sidecar metrics)"

java -cp "$JAR" dev.keymeter.bench.CheckRequestFile "$serve_token" "$work/serve-request.bin"
java -cp "$JAR" dev.keymeter.bench.CheckRequestFile "$sidecar_token" "$work/sidecar-request.bin"
# Both keys must be allowed before anything is measured (a denial is cheaper and would flatter keymeter).
for target in "serve:$serve_port:$serve_token" "sidecar:$sidecar_port:$sidecar_token"; do
  IFS=: read -r name port token <<<"$target"
  for _ in $(seq 1 60); do
    KEYMETER_TOKEN=$token "$launcher" check --addr "127.0.0.1:$port" --method POST --path /v1/chat/completions \
      >/dev/null && break
    sleep 0.5
  done
  KEYMETER_TOKEN=$token "$launcher" check --addr "127.0.0.1:$port" --method POST --path /v1/chat/completions \
    >/dev/null || { echo "$name does not allow the key's request" >&2; exit 1; }
done
