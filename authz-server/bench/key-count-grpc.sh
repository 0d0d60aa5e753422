#!/usr/bin/env bash
# The Check decision at two key counts as the sidecar makes it: each key set behind its own Check
# server, called over loopback in alternating blocks; the servers time each decision, the clients each
# round trip (see KeyCountOverGrpc's Javadoc).
#
#   authz-server/bench/key-count-grpc.sh [SECONDS] [ACCESS] [SMALL] [LARGE] [CLIENTS]
#   (defaults: 30 s measured after 10 s of warm-up, zipf, 1000 and 1000000 keys, 1 client thread;
#   about 2 minutes)
#
# Builds target/benchmarks.jar when missing. Replicas go to a temp directory, removed at the end.
# Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

JAR=authz-server/target/benchmarks.jar
source authz-server/bench/chronicle-jvm-flags.sh
[ -f "$JAR" ] || mvn -B -q -Pbench -DskipTests package -pl authz-server -am

exec java "${CHRONICLE_JVM_FLAGS[@]}" -Xms2g -Xmx2g -XX:+UseParallelGC -cp "$JAR" dev.keymeter.bench.KeyCountOverGrpc "$@"
