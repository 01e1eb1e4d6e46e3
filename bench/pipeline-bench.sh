#!/usr/bin/env bash
# Pipelining benchmark: guest Redis ops/s through spindle:redis/extended `pipeline` vs the same
# ops one host call at a time (typed set/get and execute), next to plain Jedis sequential and
# pipelined, in one JVM against a private redis-server on a free port (never the machine's 6379).
# Prints a table with ops/s and ratios. See docs/benchmarks.md ("Pipelining").
# Options: BENCH_SECONDS (measured per mode, default 5), WARMUP (per mode, default 3),
#          BATCH (operations per pipeline, default 100).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -pl host-redis -am test -Dtest=PipelineBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dspindle.bench=true -Dspindle.bench.seconds="${BENCH_SECONDS:-5}" -Dspindle.bench.warmup="${WARMUP:-3}" \
  -Dspindle.bench.batch="${BATCH:-100}" -DtrimStackTrace=false 2>&1 | grep -v '^\[INFO\]'
