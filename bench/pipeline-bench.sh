#!/usr/bin/env bash
# P1 and P2 (issue 14), and pipelining: guest Redis ops/s one host call at a time (typed set/get
# and execute) and through spindle:redis/extended `pipeline`, next to plain Jedis one command at a
# time and pipelined, both borrowing from a pool (the guest: host-redis's pools; Jedis: a JedisPool
# of the same size), in one JVM against a private redis-server on a free port (never the
# machine's 6379). The modes take turns in ROUNDS rounds, so load changes hit them alike.
# Prints a table with ops/s, ratios, and P1 = guest 1-by-1 / Jedis 1-by-1, P2 = guest pipeline /
# Jedis pipeline. See docs/benchmarks.md ("Redis from a guest: P1, P2").
# Options: BENCH_SECONDS (measured per mode, default 5), WARMUP (per mode, default 3),
#          BATCH (operations per pipeline, default 100), ROUNDS (default 5),
#          JFR (a file: record the run there with JDK Flight Recorder, bench/pipeline-profile.jfc,
#          for `jfr print --events jdk.ExecutionSample` / `jdk.ObjectAllocationSample`;
#          bench/pipeline-profile.py summarizes it per mode).
# Runs on the JDK Maven runs on (JAVA_HOME=/usr/lib/jvm/... to choose).
set -euo pipefail
cd "$(dirname "$0")/.."
jfr_args=()
if [[ -n "${JFR:-}" ]]; then
  jfr_args=("-DargLine=-XX:FlightRecorderOptions:stackdepth=512 -XX:StartFlightRecording=filename=$(realpath -m "$JFR"),settings=$PWD/bench/pipeline-profile.jfc")
fi
mvn -q -B -ntp -pl host-redis -am test -Dtest=PipelineBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dspindle.bench=true -Dspindle.bench.seconds="${BENCH_SECONDS:-5}" -Dspindle.bench.warmup="${WARMUP:-3}" \
  -Dspindle.bench.batch="${BATCH:-100}" -Dspindle.bench.rounds="${ROUNDS:-5}" -DtrimStackTrace=false "${jfr_args[@]}" 2>&1 \
  | grep -v '^\[INFO\]' | sed 's/\x1b\[[0-9;]*m//g'
