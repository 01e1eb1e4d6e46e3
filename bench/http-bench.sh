#!/usr/bin/env bash
# P3 (issue 14): the HTTP INCR handler as a Wasm component vs plain Java, both behind the same
# server (HttpTriggerServer on Jetty: routing, worker slots, read deadline) and both doing INCR on
# the same private redis-server through a 64-connection pool, driven by wrk on 127.0.0.1 at
# concurrency 1 and 16. The Wasm side is the real `spindle run` serving guests/http-counter.wasm;
# the plain side (bench/http/PlainIncr.java, compiled here against spindle.jar) loads the same
# manifest into the same HttpTriggerServer with the route's guest replaced by Java code.
# Prints req/s, p50/p99 per round and the ratio wasm/plain of the rounds' mean rates, from one run.
# Options: BENCH_SECONDS (per handler and concurrency, default 15), ROUNDS (the handlers take
# turns, default 3), WARMUP (per server and concurrency, default 10), JAVA_OPTS (both JVMs, after
# the launcher's defaults, which both get as `./spindle run` does).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
seconds="${BENCH_SECONDS:-15}"
warmup="${WARMUP:-10}"
rounds="${ROUNDS:-3}"
per_round=$(( (seconds + rounds - 1) / rounds ))

bench_build_jar
java="$(bench_java)"
jar="$bench_root/cli/target/spindle.jar"
bench_start_redis
manifest="$(bench_counter_manifest)"
bench_start_counter_servers

echo "java: $("$java" -version 2>&1 | head -1) $(bench_launcher_jvm_opts) ${JAVA_OPTS:-}; $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg); wrk ${seconds}s per row in $rounds alternating rounds, after ${warmup}s warm-up"
printf '%-3s | %-5s | %-14s | %9s | %8s | %8s | %6s\n' c round handler "req/s" "p50 ms" "p99 ms" errors
for c in 1 16; do
  wrk -t 1 -c "$c" -d "${warmup}s" "http://127.0.0.1:$wasm_port/count" >/dev/null 2>&1
  wrk -t 1 -c "$c" -d "${warmup}s" "http://127.0.0.1:$plain_port/count" >/dev/null 2>&1
  wsum=0; psum=0
  for r in $(seq 1 "$rounds"); do
    # The two take turns, so a change in the machine's load (shared, 2 cores) hits both alike.
    read -r wrps wp50 wp99 werr < <(wrk_run "http://127.0.0.1:$wasm_port/count" "$c" "$per_round")
    read -r prps pp50 pp99 perr < <(wrk_run "http://127.0.0.1:$plain_port/count" "$c" "$per_round")
    printf '%-3d | %-5d | %-14s | %9s | %8s | %8s | %6s\n' "$c" "$r" "wasm component" "$wrps" "$wp50" "$wp99" "$werr"
    printf '%-3d | %-5d | %-14s | %9s | %8s | %8s | %6s\n' "$c" "$r" "plain Java" "$prps" "$pp50" "$pp99" "$perr"
    wsum=$(( wsum + wrps )); psum=$(( psum + prps ))
  done
  awk -v w="$wsum" -v p="$psum" -v c="$c" -v n="$rounds" 'BEGIN {
    printf "%-3d | all   | wasm %.0f req/s, plain %.0f req/s: wasm/plain %.2fx (target >= 0.80x)\n", c, w / n, p / n, (p > 0 ? w / p : 0) }'
done
echo "load average after: $(cut -d" " -f1-3 /proc/loadavg)"
