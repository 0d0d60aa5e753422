#!/usr/bin/env bash
# The Check decision at two key counts as the sidecar makes it: each key set behind its own Check
# server, called over loopback in alternating blocks; the servers time each decision, the clients each
# round trip (see KeyCountOverGrpc's Javadoc).
#
#   authz-server/bench/key-count-grpc.sh [SECONDS] [ACCESS] [SMALL] [LARGE] [CLIENTS]
#   (defaults: 30 s measured after 10 s of warm-up, zipf, 1000 and 1000000 keys, 8 client threads;
#   about 2 minutes)
#
# Traffic stays on 127.0.0.1.
# Replicas go to a temp directory, removed at the end. Builds target/benchmarks.jar when missing.
exec "$(dirname "${BASH_SOURCE[0]}")/run-main.sh" dev.keymeter.bench.KeyCountOverGrpc "$@"
