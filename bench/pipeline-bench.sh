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
#          bench/pipeline-profile.py summarizes it per mode),
#          PLACEMENT: where the benchmark JVM and redis-server run (needs taskset and 2+ CPUs):
#            "split" (default): the JVM on CPU 0, redis-server on CPU 1, so every round trip
#              crosses cores, as it does to a Redis on another host;
#            "same": both on CPU 1, so a round trip is two context switches and the figures show
#              the CPU each operation costs;
#            "free": wherever the scheduler puts them. Unpinned, it sometimes runs the two on one
#              core and sometimes on two, a round trip is 9 us in one case and 80-90 us in the other
#              on a 2-core VM, and a mode's rate depends on the mix it got: P1 swung 0.79-1.15x
#              from run to run that way (docs/benchmarks.md, "Fifth pass").
# Runs on the JDK Maven runs on (JAVA_HOME=/usr/lib/jvm/... to choose).
set -euo pipefail
cd "$(dirname "$0")/.."
placement="${PLACEMENT:-split}"
pin_args=()
if [[ "$placement" != free ]]; then
  [[ "$placement" == split || "$placement" == same ]] || { echo "pipeline-bench: PLACEMENT must be split, same or free, not '$placement'" >&2; exit 2; }
  command -v taskset >/dev/null || { echo "pipeline-bench: PLACEMENT=$placement needs taskset (util-linux); PLACEMENT=free runs unpinned" >&2; exit 2; }
  (( $(nproc) >= 2 )) || { echo "pipeline-bench: PLACEMENT=$placement needs 2 CPUs, this machine has $(nproc); PLACEMENT=free runs unpinned" >&2; exit 2; }
  jvm_cpu=0; redis_cpu=1
  [[ "$placement" == same ]] && jvm_cpu=1
  wrappers="$(mktemp -d)"
  mkdir "$wrappers/bin"  # surefire takes a jvm only by a path ending in bin/java
  trap 'rm -rf "$wrappers"' EXIT
  java_bin="$(readlink -f "$(command -v "${JAVA_HOME:+$JAVA_HOME/bin/}java")")"
  redis_bin="$(command -v redis-server)" || { echo "pipeline-bench: no redis-server on PATH" >&2; exit 2; }
  # Maven compiles on every CPU; only the test JVM (surefire's jvm) and its redis-server are pinned.
  printf '#!/bin/sh\nexec taskset -c %s %s "$@"\n' "$jvm_cpu" "$java_bin" >"$wrappers/bin/java"
  printf '#!/bin/sh\nexec taskset -c %s %s "$@"\n' "$redis_cpu" "$redis_bin" >"$wrappers/redis-server"
  chmod +x "$wrappers/bin/java" "$wrappers/redis-server"
  pin_args=("-Djvm=$wrappers/bin/java" "-Dspindle.redis-server=$wrappers/redis-server")
fi
echo "placement: $placement${wrappers:+ (JVM on CPU $jvm_cpu, redis-server on CPU $redis_cpu)}"
jfr_args=()
if [[ -n "${JFR:-}" ]]; then
  jfr_args=("-DargLine=-XX:FlightRecorderOptions:stackdepth=512 -XX:StartFlightRecording=filename=$(realpath -m "$JFR"),settings=$PWD/bench/pipeline-profile.jfc")
fi
mvn -q -B -ntp -pl host-redis -am test -Dtest=PipelineBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dspindle.bench=true -Dspindle.bench.seconds="${BENCH_SECONDS:-5}" -Dspindle.bench.warmup="${WARMUP:-3}" \
  -Dspindle.bench.batch="${BATCH:-100}" -Dspindle.bench.rounds="${ROUNDS:-5}" -DtrimStackTrace=false "${pin_args[@]}" "${jfr_args[@]}" 2>&1 \
  | grep -v '^\[INFO\]' | sed 's/\x1b\[[0-9;]*m//g'
