#!/usr/bin/env bash
# The whole Check decision at two key counts, alternated in blocks on one thread in one JVM, so both
# see the same JIT, heap and machine noise: medians of each and the median of the per-block ratios
# (see KeyCountInterleaved's Javadoc).
#
#   authz-server/bench/key-count-interleaved.sh [SECONDS] [ACCESS] [SMALL] [LARGE] [REQUESTS]
#   (defaults: 30 s measured after 8 s of warm-up, zipf, 1000 and 1000000 keys, built; about 2 minutes)
#   REQUESTS: built (decide requests built before the run) or parsed (parse each one, untimed, just
#   before its decision, as gRPC does)
#
# Builds target/benchmarks.jar when missing. Replicas go to a temp directory, removed at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

JAR=authz-server/target/benchmarks.jar
source authz-server/bench/chronicle-jvm-flags.sh
[ -f "$JAR" ] || mvn -B -q -Pbench -DskipTests package -pl authz-server -am

exec java "${CHRONICLE_JVM_FLAGS[@]}" -Xms2g -Xmx2g -XX:+UseParallelGC -cp "$JAR" dev.keymeter.bench.KeyCountInterleaved "$@"
