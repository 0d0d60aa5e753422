#!/usr/bin/env bash
# Runs one benchmark program from target/benchmarks.jar in its own JVM, as the key-count scripts do:
# Chronicle's JVM flags, a fixed 2 GB heap, ParallelGC.
#
#   authz-server/bench/run-main.sh dev.keymeter.bench.CLASS [ARGS...]
#
# Builds target/benchmarks.jar when missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

JAR=authz-server/target/benchmarks.jar
source authz-server/bench/chronicle-jvm-flags.sh
[ -f "$JAR" ] || mvn -B -q -Pbench -DskipTests package -pl authz-server -am

exec java "${CHRONICLE_JVM_FLAGS[@]}" -Xms2g -Xmx2g -XX:+UseParallelGC -cp "$JAR" "$@"
