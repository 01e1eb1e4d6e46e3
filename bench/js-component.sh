#!/usr/bin/env bash
# Issue 13: a JS component (guests/js/http, built here with the Spin JS SDK's j2w from npm: 12 MB,
# StarlingMonkey inside) served by the real `spindle run`.
#   * start to first response, twice, each in a fresh JVM: with an empty compile cache (miss) and
#     with the cache the first start filled (hit) — wall time and the process's CPU time;
#   * per-request latency at c=1 (wrk): the JS component's plain route (/hello) and its Redis
#     route (/count: INCR), against the baseline of the same run, the C guest
#     guests/http-counter.wasm doing the same INCR on the same server and Redis.
# Options: BENCH_SECONDS (per row, default 10), WARMUP (per row, default 5), SPINDLE_JAR (a built
# jar to run instead of cli/target/spindle.jar).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
seconds="${BENCH_SECONDS:-10}"
warmup="${WARMUP:-5}"

bench_build_jar
java="$(bench_java)"
jar="${SPINDLE_JAR:-$bench_root/cli/target/spindle.jar}"
"$bench_root/guests/js/build.sh" "$bench_tmp/js" >/dev/null
bench_start_redis
cat >"$bench_tmp/spin.toml" <<TOML
spin_manifest_version = 2
[application]
name = "bench-js"
[[trigger.http]]
route = "/..."
component = "js"
[component.js]
source = "$bench_tmp/js/js-http.wasm"
allowed_outbound_hosts = ["redis://127.0.0.1:$redis_port"]
[component.js.variables]
redis_address = "redis://127.0.0.1:$redis_port"
[[trigger.http]]
route = "/c/count"
component = "c"
[component.c]
source = "$bench_root/guests/http-counter.wasm"
allowed_outbound_hosts = ["redis://127.0.0.1:$redis_port"]
[component.c.variables]
redis_address = "redis://127.0.0.1:$redis_port"
TOML

# start CACHE_DIR -> prints "wall_s cpu_s" at the first 200 from /hello; leaves the server running
# (pid in server_pid: call it with a plain redirect, not in a subshell)
start() {
  local port t0 t1 ticks
  port="$(bench_free_port)"
  server_port="$port"
  t0="$(date +%s.%N)"
  "$java" -jar "$jar" run "$bench_tmp/spin.toml" --listen "127.0.0.1:$port" --cache-dir "$1" >"$bench_tmp/run.log" 2>&1 &
  server_pid=$!
  bench_pids+=("$server_pid")
  for _ in $(seq 1 36000); do
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/hello" 2>/dev/null)" == 200 ]]; then break; fi
    kill -0 "$server_pid" 2>/dev/null || { echo "bench: spindle run exited:" >&2; cat "$bench_tmp/run.log" >&2; exit 1; }
    sleep 0.05
  done
  t1="$(date +%s.%N)"
  ticks="$(awk '{ print $14 + $15 }' "/proc/$server_pid/stat")"
  awk -v a="$t0" -v b="$t1" -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f %.2f\n", b - a, t / hz }'
}

stop() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}

cache="$bench_tmp/cache"
echo "component: js-http.wasm ($(wc -c < "$bench_tmp/js/js-http.wasm") bytes); java: $("$java" -version 2>&1 | head -1); $(nproc) cores"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start "$cache" >"$bench_tmp/miss.txt"
stop
read -r miss_wall miss_cpu <"$bench_tmp/miss.txt"
start "$cache" >"$bench_tmp/hit.txt"
read -r hit_wall hit_cpu <"$bench_tmp/hit.txt"
printf '%-34s | %8s | %8s\n' "start to first response" "wall s" "CPU s"
printf '%-34s | %8s | %8s\n' "miss (empty cache: compile)" "$miss_wall" "$miss_cpu"
printf '%-34s | %8s | %8s\n' "hit (second start)" "$hit_wall" "$hit_cpu"
awk -v m="$miss_cpu" -v h="$hit_cpu" 'BEGIN { printf "%-34s | %8s | %7.1fx\n", "miss/hit CPU", "", (h > 0 ? m / h : 0) }'
echo "cache: $(du -sh "$cache" | cut -f1); target: second start <= 2 s to first response"

base="http://127.0.0.1:$server_port"
printf '\n%-28s | %9s | %8s | %8s | %6s\n' "c=1, ${seconds}s" "req/s" "p50 ms" "p99 ms" errors
row() {
  wrk -t 1 -c 1 -d "${warmup}s" "$2" >/dev/null 2>&1
  read -r rps p50 p99 err < <(wrk_run "$2" 1 "$seconds")
  printf '%-28s | %9s | %8s | %8s | %6s\n' "$1" "$rps" "$p50" "$p99" "$err"
  last_p50="$p50"
}
row "js /hello (plain)" "$base/hello"; js_hello="$last_p50"
row "js /count (Redis INCR)" "$base/count"; js_count="$last_p50"
row "C http-counter (Redis INCR)" "$base/c/count"; c_count="$last_p50"
awk -v j="$js_count" -v c="$c_count" -v h="$js_hello" 'BEGIN {
  printf "p50 js/C, same INCR: %.1fx; js /hello p50 %.2f ms (target <= 2 ms)\n", (c > 0 ? j / c : 0), h }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
stop
