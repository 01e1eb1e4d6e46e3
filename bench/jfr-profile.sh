#!/usr/bin/env bash
# Where the time of a request goes: the real `spindle run` serving guests/http-counter.wasm (INCR
# on a private redis-server) under JFR while wrk drives /count, then JFR's own summaries of the
# recording: hot methods (execution samples by top frame), allocation by class, and GC pauses;
# then bench/request-profile.py's inclusive view: each part of a request (the guest, its host
# calls, binding, the response, the access log) as a share of the request threads' samples and
# per 1,000 requests. Java samples every 1 ms (bench/pipeline-profile.jfc), whole stacks.
# Prints them and leaves the recording in $JFR_OUT (default: bench-request.jfr in the current
# directory) for `jfr view`/JDK Mission Control.
# Options: BENCH_SECONDS (recorded, default 20), WARMUP (default 10), CONNECTIONS (default 1),
#          TOP (rows per view, default 25).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
seconds="${BENCH_SECONDS:-20}"
warmup="${WARMUP:-10}"
conns="${CONNECTIONS:-1}"
top="${TOP:-25}"
out="${JFR_OUT:-$PWD/bench-request.jfr}"

bench_build_jar
java="$(bench_java)"
jfr="$(dirname "$java")/jfr"
jcmd="$(dirname "$java")/jcmd"
[[ -x "$jfr" ]] || { echo "bench: $jfr not found: JFR views need JDK 21+ (SPINDLE_JAVA=/path/to/jdk21+/bin/java)" >&2; exit 1; }
jar="$bench_root/cli/target/spindle.jar"
bench_start_redis
manifest="$(bench_counter_manifest)"
port="$(bench_free_port)"
"$java" -XX:FlightRecorderOptions:stackdepth=512 -jar "$jar" run "$manifest" --listen "127.0.0.1:$port" >"$bench_tmp/spindle.log" 2>&1 &
pid=$!
bench_pids+=($pid)
bench_wait_port "$port" "spindle run"

wrk -t 1 -c "$conns" -d "${warmup}s" "http://127.0.0.1:$port/count" >/dev/null 2>&1
"$jcmd" "$pid" JFR.start name=bench settings="$bench_root/bench/pipeline-profile.jfc" filename="$out" >/dev/null
read -r rps p50 p99 err < <(wrk_run "http://127.0.0.1:$port/count" "$conns" "$seconds")
"$jcmd" "$pid" JFR.stop name=bench >/dev/null

echo "java: $("$java" -version 2>&1 | head -1); $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg)"
echo "recorded ${seconds}s of wrk -c $conns on /count after ${warmup}s warm-up: $rps req/s, p50 $p50 ms, p99 $p99 ms, $err errors"
echo "recording: $out"
for view in hot-methods allocation-by-class gc-pauses; do
  "$jfr" view --width 160 --cell-height 1 --truncate beginning "$view" "$out" | head -n "$((top + 6))"
done
python3 "$bench_root/bench/request-profile.py" "$out" "$(( ${rps%.*} * seconds ))" "$jfr"
