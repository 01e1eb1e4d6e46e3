#!/usr/bin/env bash
# Issue 9 item 5 as a benchmark: while SLOW connections (default 400) each send one header line
# every INTERVAL s (default 5) for HOLD s (default 60) and never finish their headers, a prober
# GETs /count (guests/http-counter.wasm, INCR on a private redis-server) every PROBE_EVERY s
# (default 0.25) on a fresh connection. Runs against the real `spindle run` on 127.0.0.1 with its
# defaults (64 workers, queue 256) except the read deadline, READ_TIMEOUT s (default 120, so the slow
# clients really are held for all of HOLD: at the default 30 s spindle cuts them off), first without
# slow clients (the baseline), then with them, and prints the probes' p50/p99/max and how many slow
# connections were still open at the end. Target: every probe answered within 1 s.
# Needs python3 (asyncio) for the 400 sockets.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
slow="${SLOW:-400}"
hold="${HOLD:-60}"
interval="${INTERVAL:-5}"
probe_every="${PROBE_EVERY:-0.25}"
read_timeout="${READ_TIMEOUT:-120}"

bench_build_jar
bench_start_redis
manifest="$(bench_counter_manifest)"
port="$(bench_free_port)"
# More open files than the default 1024: 400 slow sockets plus probes.
ulimit -n 4096 2>/dev/null || true
"$(bench_java)" -jar "$bench_root/cli/target/spindle.jar" run "$manifest" --listen "127.0.0.1:$port" \
  --http-read-timeout "$read_timeout" >"$bench_tmp/spindle.log" 2>&1 &
bench_pids+=($!)
bench_wait_port "$port" "spindle run"
wrk -t 1 -c 4 -d 3s "http://127.0.0.1:$port/count" >/dev/null 2>&1 # warm the compiled guest

echo "load average $(cut -d" " -f1-3 /proc/loadavg); spindle run (64 workers, queue 256, --http-read-timeout ${read_timeout}); probes GET /count every ${probe_every} s"
baseline="$(python3 "$bench_root/bench/lib/slow_clients.py" "$port" /count 0 10 1 "$probe_every")"
echo "baseline, no slow clients, 10 s:            $baseline"
loaded="$(python3 "$bench_root/bench/lib/slow_clients.py" "$port" /count "$slow" "$hold" "$interval" "$probe_every")"
echo "$slow slow-header clients, ${hold} s, 1 line/${interval} s: $loaded"
p99="$(sed -n 's/.*p99_ms \([0-9.]*\).*/\1/p' <<<"$loaded")"
max="$(sed -n 's/.*max_ms \([0-9.]*\).*/\1/p' <<<"$loaded")"
echo "probe p99 ${p99} ms, max ${max} ms (target: every probe within 1000 ms); slow_held = slow connections still open at the end"
