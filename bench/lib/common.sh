# Helpers shared by the bench/*.sh scripts (sourced, not run). Every server they start listens on
# 127.0.0.1 only and is stopped on exit.

bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bench_pids=()
bench_tmp="$(mktemp -d)"

bench_cleanup() {
  local pid
  for pid in "${bench_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${bench_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$bench_tmp"
}
trap bench_cleanup EXIT

# The java that ./spindle would pick (21+ preferred; SPINDLE_JAVA overrides).
bench_java() {
  if [[ -n "${SPINDLE_JAVA:-}" ]]; then echo "$SPINDLE_JAVA"; return; fi
  local candidate major
  for candidate in /usr/lib/jvm/*/bin/java; do
    [[ -x "$candidate" ]] || continue
    major="$("$candidate" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
    if [[ "${major%%.*}" =~ ^[0-9]+$ ]] && (( ${major%%.*} >= 21 )); then echo "$candidate"; return; fi
  done
  echo java
}

# The JVM options ./spindle gives every run by default (its default_jvm_opts line), so that a bench
# starting the jar itself measures what `./spindle run` runs.
bench_launcher_jvm_opts() {
  sed -n 's/^default_jvm_opts="\(.*\)"$/\1/p' "$bench_root/spindle"
}

# Starts the pair most benches compare, on free ports: the real `spindle run` of $manifest (the
# counter app) and the plain-Java baseline (bench/http/PlainIncr.java, compiled here against the
# jar: the same HttpTriggerServer and a JedisPool on redis_port, the route's guest replaced by Java
# code). Both JVMs get the launcher's options, then JAVA_OPTS, then their own array if set
# (wasm_jvm_opts, plain_jvm_opts). Needs java, jar, manifest and redis_port; sets wasm_pid,
# wasm_port, plain_pid, plain_port; logs to $bench_tmp/wasm.log and plain.log; returns once both
# listen.
bench_start_counter_servers() {
  local common_opts
  read -r -a common_opts <<<"$(bench_launcher_jvm_opts) ${JAVA_OPTS:-}"
  mkdir -p "$bench_tmp/classes"
  # (javac's "Note: ... deprecated API" lines dropped; errors still show and stop the bench)
  "$(dirname "$java")/javac" -nowarn -d "$bench_tmp/classes" -cp "$jar" "$bench_root/bench/http/PlainIncr.java" 2>&1 \
    | { grep -v '^Note:' || true; } >&2
  wasm_port="$(bench_free_port)"
  "$java" "${common_opts[@]}" ${wasm_jvm_opts[@]+"${wasm_jvm_opts[@]}"} -jar "$jar" run "$manifest" \
    --listen "127.0.0.1:$wasm_port" >"$bench_tmp/wasm.log" 2>&1 &
  wasm_pid=$!
  bench_pids+=($wasm_pid)
  plain_port="$(bench_free_port)"
  "$java" "${common_opts[@]}" ${plain_jvm_opts[@]+"${plain_jvm_opts[@]}"} -cp "$bench_tmp/classes:$jar" \
    dev.spindle.runtime.trigger.PlainIncr "$manifest" "$plain_port" "redis://127.0.0.1:$redis_port" >"$bench_tmp/plain.log" 2>&1 &
  plain_pid=$!
  bench_pids+=($plain_pid)
  bench_wait_port "$wasm_port" "spindle run"
  bench_wait_port "$plain_port" "plain Java server"
}

# A free TCP port on 127.0.0.1.
bench_free_port() {
  python3 - <<'PY' 2>/dev/null || echo $(( 20000 + RANDOM % 20000 ))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# Builds cli/target/spindle.jar (tests skipped) unless BENCH_NO_BUILD=1.
bench_build_jar() {
  if [[ "${BENCH_NO_BUILD:-0}" != 1 || ! -f "$bench_root/cli/target/spindle.jar" ]]; then
    (cd "$bench_root" && mvn -q -B -ntp -Dmaven.test.skip=true package 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | grep -v '^\s*$' >&2) || true
  fi
  [[ -f "$bench_root/cli/target/spindle.jar" ]] || { echo "bench: cli/target/spindle.jar did not build" >&2; exit 1; }
}

# Starts a private redis-server; sets redis_port.
bench_start_redis() {
  redis_port="$(bench_free_port)"
  redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize no \
    --dir "$bench_tmp" >"$bench_tmp/redis.log" 2>&1 &
  bench_pids+=($!)
  bench_wait_port "$redis_port" redis-server
}

# The heap in use after a full GC, in KB, of the JVM with pid $2, asked with jcmd $1 (GC.run, then
# the first "used NK" of GC.heap_info: "garbage-first heap   total 262144K, used 23456K", or the
# equivalent line of another collector).
bench_live_heap_kb() {
  "$1" "$2" GC.run >/dev/null
  "$1" "$2" GC.heap_info | sed -n 's/.*used \([0-9]*\)K.*/\1/p' | head -1
}

# Waits (at most 60 s) until something accepts connections on 127.0.0.1:$1.
bench_wait_port() {
  local i
  for i in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "bench: $2 did not listen on 127.0.0.1:$1 within 60 s" >&2
  exit 1
}

# Writes a manifest serving guests/http-counter.wasm at /count against the private redis-server;
# prints its path.
bench_counter_manifest() {
  local dir="$bench_tmp/counter-app"
  mkdir -p "$dir"
  cat >"$dir/spin.toml" <<TOML
spin_manifest_version = 2
[application]
name = "bench-counter"
[[trigger.http]]
route = "/count"
component = "counter"
[component.counter]
source = "$bench_root/guests/http-counter.wasm"
allowed_outbound_hosts = ["redis://127.0.0.1:$redis_port"]
[component.counter.variables]
redis_address = "redis://127.0.0.1:$redis_port"
TOML
  echo "$dir/spin.toml"
}

# wrk_run URL CONCURRENCY SECONDS -> prints "req/s p50_ms p99_ms errors"
wrk_run() {
  local out
  out="$(wrk -t "$(( $2 < 2 ? 1 : 2 ))" -c "$2" -d "${3}s" --latency "$1" 2>&1)"
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { err += $5 }
    /Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
    END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, err }' <<<"$out"
}
