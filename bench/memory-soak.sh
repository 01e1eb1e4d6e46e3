#!/usr/bin/env bash
# M (issue 14): memory of the real `spindle run` serving guests/http-counter.wasm (INCR on a
# private redis-server): RSS with the app idle (after one request and IDLE seconds), then RSS
# after each WINDOW seconds of a soak with `wrk -c 64`, SOAK seconds in all; the heap in use after
# a full GC (jcmd GC.heap_info, when jcmd is there) at the start and the end. The same run
# measures the baseline: the plain-Java server of bench/http-bench.sh (bench/http/PlainIncr.java,
# the same HttpTriggerServer and a JedisPool) idle, in a JVM with the same flags.
# Targets: RSS <= 150 MB with one app idle; flat over the soak (issue 14 says 10 minutes: the
# default; SOAK=180 for a shorter run, reported as such).
# Options: SOAK (seconds, default 600), WINDOW (default 60), IDLE (default 10), JAVA_OPTS (both JVMs),
# CONNECTIONS: "new" (default) runs wrk once per window, so the 64 clients reconnect every WINDOW
# seconds (connection churn, as clients behind a load balancer do); "kept" runs one wrk for the
# whole soak, 64 connections kept open throughout, with RSS read beside it every WINDOW seconds.
# NMT=1: Spindle's JVM runs with native memory tracking (summary), takes its baseline after the
# first window and prints, at the end, what each JVM area (heap, code, metaspace, threads, ...)
# committed since then: where RSS growth over the soak went.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
soak="${SOAK:-600}"
connections="${CONNECTIONS:-new}"
[[ "$connections" == new || "$connections" == kept ]] || { echo "memory-soak: CONNECTIONS must be new or kept, not '$connections'" >&2; exit 2; }
window="${WINDOW:-60}"
idle="${IDLE:-10}"
# Both JVMs get the launcher's defaults (./spindle's default_jvm_opts), then JAVA_OPTS.
nmt="${NMT:-0}"
[[ "$nmt" == 1 ]] && wasm_jvm_opts=(-XX:NativeMemoryTracking=summary)

bench_build_jar
java="$(bench_java)"
jcmd="$(dirname "$java")/jcmd"
jar="$bench_root/cli/target/spindle.jar"
bench_start_redis
manifest="$(bench_counter_manifest)"
rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
live_heap_mb() {
  [[ -x "$jcmd" ]] || { echo "-"; return; }
  local kb
  kb="$(bench_live_heap_kb "$jcmd" "$1" 2>/dev/null)" || true
  if [[ -n "$kb" ]]; then awk -v kb="$kb" 'BEGIN { printf "%.1f", kb / 1024 }'; fi
}

bench_start_counter_servers
pid=$wasm_pid
curl -s -o /dev/null "http://127.0.0.1:$wasm_port/count"
curl -s -o /dev/null "http://127.0.0.1:$plain_port/count"
sleep "$idle"

echo "java: $("$java" -version 2>&1 | head -1) $(bench_launcher_jvm_opts) ${JAVA_OPTS:-}; $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM, load average $(cut -d" " -f1-3 /proc/loadavg)"
idle_rss="$(rss_mb $pid)"
plain_rss="$(rss_mb $plain_pid)"
idle_heap="$(live_heap_mb $pid)"
printf 'idle RSS: spindle run %s MB (live heap after GC %s MB); plain Java baseline %s MB; spindle/plain %s (target <= 150 MB)\n' \
  "$idle_rss" "$idle_heap" "$plain_rss" "$(awk -v a="$idle_rss" -v b="$plain_rss" 'BEGIN { printf "%.2fx", a / b }')"
kill "$plain_pid" 2>/dev/null || true

echo "soak: wrk -c 64 on /count for ${soak}s, RSS after each ${window}s, connections $connections"
printf '%8s | %9s | %8s | %8s | %s\n' "t (s)" "req/s" "p99 ms" "RSS MB" "load average"
t=0
first=""
# window_row REQ_PER_S P99_MS: the window has ended; reads RSS and prints its row.
window_row() {
  t=$(( t + window ))
  rss="$(rss_mb $pid)"
  # the last window ending by mid-soak (the first window when the soak has no earlier one)
  if (( t <= soak / 2 )) || [[ -z "$first" ]]; then half="$rss"; half_t=$t; fi
  if [[ -z "$first" ]]; then
    first="$rss"
    [[ "$nmt" == 1 ]] && "$jcmd" "$pid" VM.native_memory baseline >/dev/null
  fi
  printf '%8d | %9s | %8s | %8s | %s\n' "$t" "$1" "$2" "$rss" "$(cut -d" " -f1-3 /proc/loadavg)"
}
if [[ "$connections" == kept ]]; then
  # One wrk for the whole soak; its rate and latency are for the whole run (printed at the end).
  wrk_run "http://127.0.0.1:$wasm_port/count" 64 "$soak" >"$bench_tmp/soak.wrk" &
  wrk_pid=$!
  bench_pids+=($wrk_pid)
  while (( t < soak )); do
    sleep "$window"
    window_row - -
  done
  wait "$wrk_pid"
  read -r rps p50 p99 err <"$bench_tmp/soak.wrk"
  echo "whole soak: $rps req/s, p50 $p50 ms, p99 $p99 ms, $err errors"
else
  while (( t < soak )); do
    read -r rps p50 p99 err < <(wrk_run "http://127.0.0.1:$wasm_port/count" 64 "$window")
    window_row "$rps" "$p99"
  done
fi
if [[ "$nmt" == 1 ]]; then
  # Each area's committed size now and its change since the first window ("committed=...KB +...KB").
  echo "native memory tracking, committed at the end, before the full GC below (change since the first window):"
  "$jcmd" "$pid" VM.native_memory summary.diff scale=KB \
    | sed -n -e 's/^\(Total\): reserved=[^,]*, committed=\([0-9]*\)KB *\([-+][0-9]*KB\)\{0,1\}.*/\1|\2|\3/p' \
        -e 's/^-  *\([A-Za-z][A-Za-z ]*[A-Za-z]\) (reserved=[^,]*, committed=\([0-9]*\)KB *\([-+][0-9]*KB\)\{0,1\}).*/\1|\2|\3/p' \
    | awk -F'|' '{ printf "  %-28s %9.1f MB %s\n", $1, $2 / 1024, ($3 == "" ? "" : sprintf("(%+.1f MB)", $3 / 1024)) }'
fi
printf 'RSS after the first window %s MB, at the end %s MB (%s); live heap after GC at the end %s MB\n' "$first" "$rss" \
  "$(awk -v a="$first" -v b="$rss" 'BEGIN { printf "%+.1f MB", b - a }')" "$(live_heap_mb $pid)"
# The first minutes are the JVM sizing its heap to the load; a leak keeps growing after that.
printf 'RSS over the second half of the soak (%d s -> %d s): %s -> %s MB (%s)\n' "$half_t" "$t" "$half" "$rss" \
  "$(awk -v a="$half" -v b="$rss" 'BEGIN { printf "%+.1f MB, %+.1f%%", b - a, 100 * (b - a) / a }')"
