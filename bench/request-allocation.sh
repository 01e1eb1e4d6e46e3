#!/usr/bin/env bash
# Bytes the JVM allocates per HTTP request: the real `spindle run` serving guests/http-counter.wasm
# and the plain-Java server of bench/http-bench.sh (bench/http/PlainIncr.java: the same
# HttpTriggerServer and a JedisPool), both doing INCR on one private redis-server, both driven by
# wrk at concurrency C, taking turns. Allocation is read from each JVM's GC log
# (-Xlog:gc+heap=debug: the heap in use before and after every collection, in KB): what was
# allocated between the first and the last collection of a window, over the requests served in
# that time. Both JVMs start with the launcher's defaults, as ./spindle does, then JAVA_OPTS. Less
# allocation means fewer young collections, whose pause time is what makes G1 grow its heap
# (docs/benchmarks.md, M).
# Prints KB/request per round and the ratio wasm/plain, from one run.
# Options: BENCH_SECONDS (per server and round, default 10), ROUNDS (default 3), WARMUP (default
# 10), C (concurrency, default 16).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
seconds="${BENCH_SECONDS:-10}"
rounds="${ROUNDS:-3}"
warmup="${WARMUP:-10}"
c="${C:-16}"

bench_build_jar
java="$(bench_java)"
jar="$bench_root/cli/target/spindle.jar"
bench_start_redis
manifest="$(bench_counter_manifest)"
wasm_jvm_opts=("-Xlog:gc+heap=debug:file=$bench_tmp/wasm-gc.log")
plain_jvm_opts=("-Xlog:gc+heap=debug:file=$bench_tmp/plain-gc.log")
bench_start_counter_servers

# kb_per_request LOG FROM_LINE REQ_PER_S: allocation between the window's first and last
# collection (each "Heap before GC ... used N" minus the "Heap after GC ... used M" before it),
# over the requests of that time (its rate times the seconds between the two collections).
kb_per_request() {
  tail -n "+$(( $2 + 1 ))" "$1" | python3 -c '
import re, sys
rate = float(sys.argv[1])
events = []  # (uptime s, "Before"/"After", used KB)
pending = None
for line in sys.stdin:
    m = re.match(r"\[([0-9.]+)s\].*Heap (Before|After) GC invocations=\d+ .*", line)
    if m:
        pending = (float(m.group(1)), m.group(2))
        continue
    u = re.search(r"garbage-first heap +total (?:reserved \d+K, committed )?\d+K, used (\d+)K", line)
    if u and pending:
        events.append((pending[0], pending[1], int(u.group(1))))
        pending = None
allocated, first, last, prev_after = 0, None, None, None
for t, kind, used in events:
    if kind == "After":
        prev_after = used
        if first is None:
            first = t
    elif prev_after is not None:
        allocated += used - prev_after
        last = t
if first is None or last is None or last <= first or rate <= 0:
    print("-")
else:
    print("%.2f" % (allocated / (rate * (last - first))))
' "$3"
}

echo "java: $("$java" -version 2>&1 | head -1); $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg); wrk -c $c, ${seconds}s per row in $rounds alternating rounds, after ${warmup}s warm-up"
wrk -t 1 -c "$c" -d "${warmup}s" "http://127.0.0.1:$wasm_port/count" >/dev/null 2>&1
wrk -t 1 -c "$c" -d "${warmup}s" "http://127.0.0.1:$plain_port/count" >/dev/null 2>&1
printf '%-5s | %-14s | %9s | %10s\n' round handler "req/s" "KB/request"
wsum=0; psum=0; n=0
for r in $(seq 1 "$rounds"); do
  for side in wasm plain; do
    port_var="${side}_port"
    from="$(wc -l <"$bench_tmp/$side-gc.log")"
    read -r rps p50 p99 err < <(wrk_run "http://127.0.0.1:${!port_var}/count" "$c" "$seconds")
    kb="$(kb_per_request "$bench_tmp/$side-gc.log" "$from" "$rps")"
    printf '%-5d | %-14s | %9s | %10s\n' "$r" "$([[ $side == wasm ]] && echo "wasm component" || echo "plain Java")" "$rps" "$kb"
    [[ "$kb" == - ]] && { echo "bench: too few collections in a ${seconds}s window to measure; raise BENCH_SECONDS" >&2; exit 1; }
    if [[ $side == wasm ]]; then wsum="$(awk -v a="$wsum" -v b="$kb" 'BEGIN { print a + b }')"; else psum="$(awk -v a="$psum" -v b="$kb" 'BEGIN { print a + b }')"; fi
  done
done
awk -v w="$wsum" -v p="$psum" -v n="$rounds" 'BEGIN {
  printf "all   | wasm %.2f KB/request, plain %.2f KB/request: wasm/plain %.2fx\n", w / n, p / n, w / p }'
