#!/usr/bin/env bash
# wasi:http hello vs inbound-http hello, on the same `spindle run` (same server, same engine,
# same limits), driven by wrk on 127.0.0.1 at concurrency 1 and 16:
#   /wasi/hello   guests/wasi-http/http-0.2.0.wasm   wasi:http/incoming-handler@0.2.0 (C, hand-written
#                 bindings): 13 host calls per request (path, fields, outgoing
#                 response, body, stream, check-write/write/flush, finish) and a streamed response
#   /spin/hello   guests/wasi-http/spin-http-outbound.wasm   fermyon:spin/inbound-http (C): one
#                 export call, the whole response returned at once
# Both answer a 23-byte text/plain body. Prints req/s, p50/p99 and the ratio wasi/spin from one run.
# Options: BENCH_SECONDS (per row, default 10), WARMUP (per route and concurrency, default 5).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
seconds="${BENCH_SECONDS:-10}"
warmup="${WARMUP:-5}"

bench_build_jar
java="$(bench_java)"
jar="$bench_root/cli/target/spindle.jar"
app="$bench_tmp/hello-app"
mkdir -p "$app"
cat >"$app/spin.toml" <<TOML
spin_manifest_version = 2
[application]
name = "bench-hello"
[[trigger.http]]
route = "/wasi/..."
component = "wasi"
[[trigger.http]]
route = "/spin/..."
component = "spin"
[component.wasi]
source = "$bench_root/guests/wasi-http/http-0.2.0.wasm"
[component.spin]
source = "$bench_root/guests/wasi-http/spin-http-outbound.wasm"
TOML

port="$(bench_free_port)"
"$java" -jar "$jar" run "$app/spin.toml" --listen "127.0.0.1:$port" >"$bench_tmp/spindle.log" 2>&1 &
bench_pids+=($!)
bench_wait_port "$port" "spindle run"
for route in wasi spin; do
  body="$(curl -s "http://127.0.0.1:$port/$route/hello")"
  [[ "$body" == hello* ]] || { echo "bench: /$route/hello answered '$body'" >&2; exit 1; }
done

echo "java: $("$java" -version 2>&1 | head -1); $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg); wrk ${seconds}s per row after ${warmup}s warm-up"
printf '%-3s | %-22s | %9s | %8s | %8s | %6s\n' c handler "req/s" "p50 ms" "p99 ms" errors
for c in 1 16; do
  wrk -t 1 -c "$c" -d "${warmup}s" "http://127.0.0.1:$port/wasi/hello" >/dev/null 2>&1
  read -r wrps wp50 wp99 werr < <(wrk_run "http://127.0.0.1:$port/wasi/hello" "$c" "$seconds")
  wrk -t 1 -c "$c" -d "${warmup}s" "http://127.0.0.1:$port/spin/hello" >/dev/null 2>&1
  read -r srps sp50 sp99 serr < <(wrk_run "http://127.0.0.1:$port/spin/hello" "$c" "$seconds")
  printf '%-3d | %-22s | %9s | %8s | %8s | %6s\n' "$c" "wasi:http hello" "$wrps" "$wp50" "$wp99" "$werr"
  printf '%-3d | %-22s | %9s | %8s | %8s | %6s\n' "$c" "inbound-http hello" "$srps" "$sp50" "$sp99" "$serr"
  awk -v w="$wrps" -v s="$srps" -v c="$c" 'BEGIN { printf "%-3d | wasi/spin              | %8.2fx |\n", c, (s > 0 ? w / s : 0) }'
done
