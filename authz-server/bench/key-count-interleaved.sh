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
# Replicas go to a temp directory, removed at the end. Builds target/benchmarks.jar when missing.
exec "$(dirname "${BASH_SOURCE[0]}")/run-main.sh" dev.keymeter.bench.KeyCountInterleaved "$@"
