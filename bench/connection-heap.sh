#!/usr/bin/env bash
# What an open keep-alive connection costs the heap: the real `spindle run` serving
# guests/http-counter.wasm, then CONNECTIONS clients (default 1000) that each open a connection,
# make REQUESTS requests on it one at a time (default: a row for 1 and a row for 3) and keep it
# open; the heap in use after a full GC (jcmd GC.run, GC.heap_info) before and while they are open,
# and the difference per connection. Jetty builds a connection's header cache when its second
# request arrives, so the rows differ by that cache (docs/benchmarks.md, "Heap per keep-alive
# connection"). Needs jcmd (a JDK) and a file limit above CONNECTIONS (raised here if allowed).
# Options: CONNECTIONS, REQUESTS (a space-separated list), JAVA_OPTS (after the launcher's defaults).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
connections="${CONNECTIONS:-1000}"
requests="${REQUESTS:-1 3}"
ulimit -n $(( connections + 1024 )) 2>/dev/null || true

bench_build_jar
java="$(bench_java)"
jcmd="$(dirname "$java")/jcmd"
[[ -x "$jcmd" ]] || { echo "bench: $jcmd not found: this needs a JDK" >&2; exit 1; }
jar="$bench_root/cli/target/spindle.jar"
bench_start_redis
manifest="$(bench_counter_manifest)"
read -r -a java_opts <<<"$(bench_launcher_jvm_opts) ${JAVA_OPTS:-}"

echo "java: $("$java" -version 2>&1 | head -1) $(bench_launcher_jvm_opts) ${JAVA_OPTS:-}; $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg)"
printf '%12s | %8s | %14s | %14s | %s\n' "connections" "requests" "heap before MB" "heap open MB" "KB per connection"
for n in $requests; do
  port="$(bench_free_port)"
  "$java" "${java_opts[@]}" -jar "$jar" run "$manifest" --listen "127.0.0.1:$port" >"$bench_tmp/spindle.log" 2>&1 &
  pid=$!
  bench_pids+=($pid)
  bench_wait_port "$port" "spindle run"
  curl -s -o /dev/null "http://127.0.0.1:$port/count"
  before="$(bench_live_heap_kb "$jcmd" $pid)"
  # The clients: every connection opened, then REQUESTS rounds of one request each, read before
  # the next is sent (no 503s from a full queue); then they hold the connections open.
  python3 - "$port" "$connections" "$n" >"$bench_tmp/clients.out" 2>&1 <<'PY' &
import socket, sys, time
port, count, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
ok = 0
for _ in range(rounds):
    for s in socks:
        s.sendall(b"GET /count HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: connection-heap/1.0\r\nAccept: */*\r\n\r\n")
        s.settimeout(10)
        ok += s.recv(4096).startswith(b"HTTP/1.1 200")
print("ok", ok, flush=True)
time.sleep(600)
PY
  clients=$!
  for _ in $(seq 1 1200); do grep -q '^ok' "$bench_tmp/clients.out" 2>/dev/null && break; sleep 0.1; done
  ok="$(awk '/^ok/ { print $2 }' "$bench_tmp/clients.out")"
  [[ "$ok" == $(( connections * n )) ]] || { echo "bench: $ok of $(( connections * n )) requests answered 200: $(cat "$bench_tmp/clients.out")" >&2; exit 1; }
  open="$(bench_live_heap_kb "$jcmd" $pid)"
  awk -v c="$connections" -v n="$n" -v b="$before" -v o="$open" \
    'BEGIN { printf "%12d | %8d | %14.1f | %14.1f | %.1f\n", c, n, b / 1024, o / 1024, (o - b) / c }'
  kill "$clients" 2>/dev/null || true
  wait "$clients" 2>/dev/null || true
  kill "$pid"
  wait "$pid" 2>/dev/null || true
done
