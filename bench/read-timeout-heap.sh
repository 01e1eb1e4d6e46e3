#!/usr/bin/env bash
# Issue 9 item 10 as a measurement: with --http-read-timeout 3600, does the live heap of
# `spindle run` stay flat under load? (The JDK-based server kept one cancelled timer per request
# queued until its expiry: +0.4 MB/s at 7,500 req/s.) ROUNDS (default 4) rounds of wrk -c 16 for
# SECONDS (default 20) against /count (guests/http-counter.wasm) on 127.0.0.1; after each, a full GC
# (jcmd GC.run) and the heap in use after it (jcmd GC.heap_info).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
rounds="${ROUNDS:-4}"
seconds="${SECONDS_PER_ROUND:-20}"

bench_build_jar
java="$(bench_java)"
jcmd="$(dirname "$java")/jcmd"
bench_start_redis
manifest="$(bench_counter_manifest)"
port="$(bench_free_port)"
"$java" -jar "$bench_root/cli/target/spindle.jar" run "$manifest" --listen "127.0.0.1:$port" --http-read-timeout 3600 \
  >"$bench_tmp/spindle.log" 2>&1 &
pid=$!
bench_pids+=($pid)
bench_wait_port "$port" "spindle run"

echo "load average $(cut -d" " -f1-3 /proc/loadavg); spindle run --http-read-timeout 3600; wrk -c 16 -d ${seconds}s per round"
before="$(bench_live_heap_kb "$jcmd" "$pid")"
echo "round 0: live heap ${before} KiB"
total=0
for r in $(seq 1 "$rounds"); do
  read -r rps _ _ err < <(wrk_run "http://127.0.0.1:$port/count" 16 "$seconds")
  total=$(( total + ${rps%.*} * seconds ))
  echo "round $r: $rps req/s ($err errors), live heap $(bench_live_heap_kb "$jcmd" "$pid") KiB after ~$total requests"
done
after="$(bench_live_heap_kb "$jcmd" "$pid")"
awk -v b="$before" -v a="$after" -v n="$total" 'BEGIN { printf "growth %+d KiB over ~%d requests (%.1f bytes/request)\n", a - b, n, (a - b) * 1024 / (n > 0 ? n : 1) }'
