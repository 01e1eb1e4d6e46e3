#!/usr/bin/env bash
# Which HTTP server library should carry the HTTP trigger? Serves the same two handlers on each
# candidate in its own JVM and drives it with wrk on loopback, at concurrency 1 and 16:
#   trivial: a 2-byte 200 answered on the library's own thread (the library's own cost);
#   incr:    guests/http-counter.wasm through Spindle's Spin executor against a private
#            redis-server (blocking work: on a 64-thread pool; jetty runs it on its own thread,
#            jetty-hop hands it to the pool like the others).
# Candidates: jdk (com.sun.net.httpserver), jetty (12.1), netty (4.2), undertow (2.3). Helidon 4
# needs Java 21 and is left out while the floor is 17.
# Options: BENCH_SECONDS (measured per row, default 5), WARMUP (default 3), LIBRARIES, HANDLERS.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
seconds="${BENCH_SECONDS:-5}"
warmup="${WARMUP:-3}"
libraries="${LIBRARIES:-jdk jetty jetty-hop netty undertow}"
handlers="${HANDLERS:-trivial incr}"

bench_build_jar
java="$(bench_java)"
javac="$(dirname "$java")/javac"
cp="$(cd "$bench_root/bench/server-libraries" && mvn -q -B -ntp dependency:build-classpath -Dmdep.outputFile=/dev/stdout | sed "s/\x1b\[[0-9;]*m//g")"
mkdir -p "$bench_tmp/classes"
"$javac" -nowarn -d "$bench_tmp/classes" -cp "$bench_root/cli/target/spindle.jar:$cp" \
  "$bench_root/bench/server-libraries/ServerLibraries.java"
bench_start_redis
manifest="$(bench_counter_manifest)"

echo "java: $("$java" -version 2>&1 | head -1); $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg); wrk ${seconds}s per row after ${warmup}s warm-up"
printf '%-9s | %-8s | %5s | %9s | %8s | %8s | %6s\n' library handler conns "req/s" "p50 ms" "p99 ms" errors
for handler in $handlers; do
  for library in $libraries; do
    port="$(bench_free_port)"
    "$java" -cp "$bench_tmp/classes:$cp:$bench_root/cli/target/spindle.jar" \
      dev.spindle.runtime.trigger.ServerLibraries "$library" "$handler" "$port" "$manifest" >"$bench_tmp/$library.log" 2>&1 &
    pid=$!
    bench_pids+=($pid)
    bench_wait_port "$port" "$library"
    url="http://127.0.0.1:$port/count"
    for c in 1 16; do
      wrk -t 1 -c "$c" -d "${warmup}s" "$url" >/dev/null 2>&1
      read -r rps p50 p99 err < <(wrk_run "$url" "$c" "$seconds")
      printf '%-9s | %-8s | %5d | %9s | %8s | %8s | %6s\n' "$library" "$handler" "$c" "$rps" "$p50" "$p99" "$err"
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
