#!/usr/bin/env bash
# P5 (issue 14): `spindle run` -> first response, with a warm compile cache. For each guest, one
# `spindle run --cache-dir` fills the cache (miss), then RUNS starts with that cache (hit) and RUNS
# with --no-cache; each is timed from the moment the process is started to the first HTTP
# response on its route (curl polled every 10 ms), then stopped. The same run measures the floor:
# a JVM starting spindle.jar and exiting (`spindle --version`).
# Guests: http-counter (guests/http-counter.wasm, 0.7 KB WAT: INCR), hello-redis (the 34 KB C
# example), and a JS component if JS_COMPONENT=path.wasm is given (an HTTP handler at /).
# With Java 25+, also "hit + JDK AOT cache": the warm compile cache plus the JVM's own AOT cache
# of loaded and linked classes (-XX:AOTCacheOutput once, then -XX:AOTCache), as ./spindle uses it;
# before Java 25, "hit + CDS archive": a dynamic CDS archive (-XX:ArchiveClassesAtExit once, then
# -XX:SharedArchiveFile), as ./spindle uses it there.
# Targets: <= 1 s for small guests, <= 2 s for the JS component (warm cache).
# Options: RUNS (default 5).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
runs="${RUNS:-5}"

bench_build_jar
java="$(bench_java)"
jar="$bench_root/cli/target/spindle.jar"
bench_start_redis

# app NAME WASM ROUTE -> writes $bench_tmp/NAME/spin.toml
app() {
  mkdir -p "$bench_tmp/$1"
  cat >"$bench_tmp/$1/spin.toml" <<TOML
spin_manifest_version = 2
[application]
name = "p5-$1"
[[trigger.http]]
route = "$3"
component = "guest"
[component.guest]
source = "$2"
allowed_outbound_hosts = ["redis://127.0.0.1:$redis_port"]
[component.guest.variables]
redis_address = "redis://127.0.0.1:$redis_port"
TOML
}

now_ms() { date +%s%3N; }
jvm_opts=()
java_major="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
java_major="${java_major%%.*}"

# CPU time (user + system, all threads) the process $1 has used so far, in ms
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$1/stat"; }

# start_to_response MANIFEST PATH ARGS... -> prints "wall_ms cpu_ms" from exec to the first response
start_to_response() {
  local manifest="$1" path="$2"; shift 2
  local port start pid ms
  port="$(bench_free_port)"
  start="$(now_ms)"
  "$java" "${jvm_opts[@]}" -jar "$jar" run "$manifest" --listen "127.0.0.1:$port" "$@" >"$bench_tmp/run.log" 2>&1 &
  pid=$!
  until curl -s -o /dev/null -m 1 "http://127.0.0.1:$port$path"; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "bench: spindle run exited:" >&2; cat "$bench_tmp/run.log" >&2; exit 1; fi
    sleep 0.01
  done
  ms=$(( $(now_ms) - start ))
  cpu="$(cpu_ms "$pid")"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$ms $cpu"
}

# stats: lines "wall cpu" -> "min median max" of wall, then the median CPU
stats() {
  awk '{ print $1, ($2 == "" ? "-" : $2) }' | sort -n | awk '{ w[NR] = $1; c[NR] = $2 }
    END { n = asort(c); printf "%6d %6d %6d | %s", w[1], w[int((NR + 1) / 2)], w[NR], c[int((n + 1) / 2)] }'
}

# with_class_archive LABEL TRAIN_OPTS USE_OPTS: one start with TRAIN_OPTS writes the JVM's class
# archive, then RUNS starts with USE_OPTS (and the warm compile cache) are timed as row LABEL.
with_class_archive() {
  local timed=()
  read -r -a jvm_opts <<<"$2"
  start_to_response "$manifest" "$route" --cache-dir "$cache" >/dev/null
  read -r -a jvm_opts <<<"$3"
  for i in $(seq 1 "$runs"); do
    timed+=("$(start_to_response "$manifest" "$route" --cache-dir "$cache")")
  done
  jvm_opts=()
  printf '%-14s | %-23s | %s\n' "$name" "$1" "$(printf '%s\n' "${timed[@]}" | stats)"
}

guests=("http-counter|$bench_root/guests/http-counter.wasm|/count" "hello-redis|$bench_root/examples/hello-redis/hello.wasm|/")
[[ -n "${JS_COMPONENT:-}" ]] && guests+=("js|$(cd "$(dirname "$JS_COMPONENT")" && pwd)/$(basename "$JS_COMPONENT")|/")

echo "java: $("$java" -version 2>&1 | head -1); $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg); $runs starts per row"
floor=()
for i in $(seq 1 "$runs"); do
  s="$(now_ms)"
  cpu="$( { TIMEFORMAT='%3U %3S'; time "$java" -jar "$jar" --version >/dev/null 2>&1; } 2>&1 | awk '{ print int(($1 + $2) * 1000) }')"
  floor+=("$(( $(now_ms) - s )) $cpu")
done
printf '%-14s | %-23s | %6s %6s %6s | %s\n' guest start "min" median "max" "median CPU (ms, all threads)"
printf '%-14s | %-23s | %s\n' "(none)" "JVM + spindle --version" "$(printf '%s\n' "${floor[@]}" | stats)"
for g in "${guests[@]}"; do
  IFS='|' read -r name wasm route <<<"$g"
  app "$name" "$wasm" "$route"
  manifest="$bench_tmp/$name/spin.toml"
  cache="$bench_tmp/$name/cache"
  miss="$(start_to_response "$manifest" "$route" --cache-dir "$cache")"
  printf '%-14s | %-23s | %s\n' "$name" "miss (empty cache)" "$(echo "$miss" | stats)"
  hits=(); nones=()
  for i in $(seq 1 "$runs"); do
    hits+=("$(start_to_response "$manifest" "$route" --cache-dir "$cache")")
    nones+=("$(start_to_response "$manifest" "$route" --no-cache)")
  done
  printf '%-14s | %-23s | %s\n' "$name" "hit (warm cache)" "$(printf '%s\n' "${hits[@]}" | stats)"
  printf '%-14s | %-23s | %s\n' "$name" "--no-cache" "$(printf '%s\n' "${nones[@]}" | stats)"
  if (( java_major >= 25 )); then
    # JDK 25's AOT cache (JEP 483/514): classes loaded and linked by a training run, mapped at start.
    with_class_archive "hit + JDK AOT cache" \
      "-XX:AOTCacheOutput=$bench_tmp/$name/spindle.aot -Xlog:aot=off -Xlog:cds=off" \
      "-XX:AOTCache=$bench_tmp/$name/spindle.aot -Xlog:aot=off -Xlog:cds=off"
  else
    # Before Java 25: a dynamic CDS archive (JDK 13+) of the classes a training run loaded, written
    # as that JVM exits (the script stops it with SIGTERM, as Ctrl-C would), mapped at start.
    with_class_archive "hit + CDS archive" \
      "-XX:ArchiveClassesAtExit=$bench_tmp/$name/spindle.jsa -Xlog:cds=off -Xlog:cds+dynamic=off" \
      "-XX:SharedArchiveFile=$bench_tmp/$name/spindle.jsa -Xlog:cds=off"
  fi
done
echo "load average after: $(cut -d" " -f1-3 /proc/loadavg)"
