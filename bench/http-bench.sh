#!/usr/bin/env bash
# HTTP trigger benchmark: the INCR counter as a Wasm component (guests/http-counter.wasm behind
# HttpTriggerServer) vs the same handler in plain Java (JDK HttpServer + Jedis pool), both on a
# private redis-server, concurrency 1 and 16. Prints req/s and p50/p99 latency side by side.
# Options: BENCH_SECONDS (measure, default 10), WARMUP (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -pl runtime -am test -Dtest=HttpBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dspindle.bench=true -Dspindle.bench.seconds="${BENCH_SECONDS:-10}" -Dspindle.bench.warmup="${WARMUP:-5}" \
  -DtrimStackTrace=false 2>&1 | grep -v '^\[INFO\]'
