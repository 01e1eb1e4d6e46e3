#!/usr/bin/env bash
# Scale-out on loopback: N replicas of one app (separate `spindle run` processes) against one
# redis-server.
#
#  1. Work sharing: ENTRIES stream entries, 3 replicas of a streams trigger whose guest
#     (guests/wat/stream-counter.wat) INCRs seen:<payload>; counted in Redis: handled exactly
#     once, lost, duplicated. Baseline in the same run: 1 replica on the same number of entries.
#  2. The same with one replica SIGKILLed midway: its pending entries (read, not acknowledged)
#     are recorded at the kill; afterwards nothing may be lost, and every duplicate must be one
#     of those entries.
#  2b. The same with one replica stopped by SIGTERM midway: it finishes its entry in flight and
#     releases the rest of its batch, so nothing is lost and nothing is handled twice.
#  3. Cron: 3 replicas with the lease ([cron_lease] in the runtime config) for CRON_SECONDS;
#     every tick's lease key and every run (guests/redis-command.wat INCRs
#     spindle:command-runs) counted. Baseline in the same run: 3 replicas without the lease for
#     BASELINE_SECONDS (every tick runs 3 times).
#
# The last line is the summary:
#   scale-out: entries N, processed-once N, lost 0, duplicates D (in flight at kill K); cron ticks T, duplicates 0
# Exits non-zero when an exactly-once check fails. Env: ENTRIES (10000), REPLICAS (3),
# CRON_SECONDS (30), BASELINE_SECONDS (10), BENCH_NO_BUILD=1 to use the jar as it is, SPINDLE_JAR=path
# to run that jar (not built).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

entries="${ENTRIES:-10000}"
replicas="${REPLICAS:-3}"
cron_seconds="${CRON_SECONDS:-30}"
baseline_seconds="${BASELINE_SECONDS:-10}"
failed=0

if [[ -z "${SPINDLE_JAR:-}" ]]; then bench_build_jar; fi
java="$(bench_java)"
jar="${SPINDLE_JAR:-$bench_root/cli/target/spindle.jar}"
bench_start_redis
rc() { redis-cli -p "$redis_port" "$@"; }
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"

app="$bench_tmp/app"
mkdir -p "$app"
cat >"$app/streams.toml" <<TOML
spin_manifest_version = 2
[application]
name = "scale-out"
[variables]
consumer = { required = true }
[[trigger.redis]]
address = "redis://127.0.0.1:$redis_port"
stream = "jobs"
group = "workers"
consumer = "{{ consumer }}"
reclaim_idle_ms = 5000
component = "counter"
[component.counter]
source = "$bench_root/guests/stream-counter.wasm"
allowed_outbound_hosts = ["redis://127.0.0.1:$redis_port"]
[component.counter.variables]
redis_address = "redis://127.0.0.1:$redis_port"
TOML
cat >"$app/cron.toml" <<TOML
spin_manifest_version = 2
[application]
name = "scale-out"
[[trigger.cron]]
cron_expression = "* * * * * *"
component = "ticker"
[component.ticker]
source = "$bench_root/guests/redis-command.wasm"
allowed_outbound_hosts = ["redis://127.0.0.1:$redis_port"]
[component.ticker.variables]
redis_address = "redis://127.0.0.1:$redis_port"
TOML
cat >"$app/lease.toml" <<TOML
[cron_lease]
url = "redis://127.0.0.1:$redis_port"
TOML

replica_pids=()
# start_replica NAME MANIFEST [ARGS...]: a `spindle run` process, log in $bench_tmp/NAME.log
# (the streams app gets NAME as its consumer name)
start_replica() {
  local name="$1" manifest="$2"
  shift 2
  if [[ "$manifest" == *streams.toml ]]; then set -- --variable consumer="$name" "$@"; fi
  "$java" -jar "$jar" run "$manifest" "$@" >"$bench_tmp/$name.log" 2>&1 &
  replica_pids+=($!)
  bench_pids+=($!)
}
stop_replicas() {
  local pid
  for pid in "${replica_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${replica_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  replica_pids=()
}
# Waits until every started replica logged that it reads the stream (or runs cron), at most 120 s.
await_logs() {
  local pattern="$1" name deadline=$((SECONDS + 120))
  shift
  for name in "$@"; do
    until grep -q "$pattern" "$bench_tmp/$name.log" 2>/dev/null; do
      if (( SECONDS > deadline )); then echo "bench: $name did not log '$pattern':" >&2; tail -5 "$bench_tmp/$name.log" >&2; exit 1; fi
      sleep 0.2
    done
  done
}
# add_entries N: XADD jobs * payload p1 .. pN, pipelined
add_entries() {
  awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++) { p = "p" i; printf "*5\r\n$4\r\nXADD\r\n$4\r\njobs\r\n$1\r\n*\r\n$7\r\npayload\r\n$%d\r\n%s\r\n", length(p), p } }' \
    | rc --pipe >/dev/null
}
handled() { rc GET handled | tr -d '\r' | sed 's/^$/0/'; }
# await_handled N SECONDS: until N handled or the time is up; prints the seconds it took
await_handled() {
  local start=$EPOCHREALTIME deadline=$((SECONDS + $2))
  until (( $(handled) >= $1 )); do
    if (( SECONDS > deadline )); then echo "bench: only $(handled) of $1 handled within $2 s" >&2; break; fi
    sleep 0.05
  done
  awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'
}
# count N -> "once lost duplicates dup-payloads..." (payloads p1..pN, from seen:<payload>)
count() {
  rc EVAL "local once, lost, dup, which = 0, 0, 0, {}
    for i = 1, tonumber(ARGV[1]) do
      local v = tonumber(redis.call('GET', 'seen:p' .. i) or '0')
      if v == 1 then once = once + 1 elseif v == 0 then lost = lost + 1 else dup = dup + v - 1; table.insert(which, 'p' .. i) end
    end
    return {once, lost, dup, table.concat(which, ' ')}" 0 "$1" | tr '\n' ' '
}
fresh_stream() { rc FLUSHALL >/dev/null; }

# --- 1. work sharing ---------------------------------------------------------------------------
fresh_stream
start_replica base "$app/streams.toml"
await_logs 'reading stream' base
add_entries "$entries"
base_secs="$(await_handled "$entries" 300)"
stop_replicas
read -r b_once b_lost b_dup _ <<<"$(count "$entries")"
echo "baseline, 1 replica: $entries entries in $base_secs s ($(awk -v n="$entries" -v s="$base_secs" 'BEGIN { printf "%.0f", n / s }') entries/s); once $b_once, lost $b_lost, duplicates $b_dup"

fresh_stream
names=()
for i in $(seq 1 "$replicas"); do names+=("r$i"); start_replica "r$i" "$app/streams.toml"; done
await_logs 'reading stream' "${names[@]}"
add_entries "$entries"
await_handled $((entries / 2)) 300 >/dev/null
share="$(rc XINFO CONSUMERS jobs workers | awk 'key == "name" { printf "%s%s", sep, $0; sep = ", " } key == "pending" { printf " pending %s", $0 } { key = $0 }')"
share_secs="$(await_handled "$entries" 300)"
sleep 0.5
pending="$(rc XPENDING jobs workers | head -1)"
stop_replicas
read -r s_once s_lost s_dup _ <<<"$(count "$entries")"
echo "work sharing, $replicas replicas: $entries entries in $share_secs s ($(awk -v n="$entries" -v s="$share_secs" 'BEGIN { printf "%.0f", n / s }') entries/s, $(awk -v a="$base_secs" -v b="$share_secs" 'BEGIN { printf "%.2f", a / b }')x the 1-replica baseline); once $s_once, lost $s_lost, duplicates $s_dup, still pending $pending; mid-run: $share"
(( s_once == entries && s_lost == 0 && s_dup == 0 && pending == 0 )) || { echo "FAIL: work sharing was not exactly once" >&2; failed=1; }

# --- 2. one replica SIGKILLed midway -------------------------------------------------------------
fresh_stream
names=()
for i in $(seq 1 "$replicas"); do names+=("k$i"); start_replica "k$i" "$app/streams.toml"; done
await_logs 'reading stream' "${names[@]}"
add_entries "$entries"
await_handled $((entries * 3 / 10)) 300 >/dev/null
victim="${replica_pids[0]}"
kill -KILL "$victim"
wait "$victim" 2>/dev/null || true
held_ids="$(rc XPENDING jobs workers - + 1000 k1 | paste - - - - | awk '{ print $1 }')"
killed_at="$(handled)"
in_flight=0
held_payloads=" "
for id in $held_ids; do
  in_flight=$((in_flight + 1))
  held_payloads+="$(rc XRANGE jobs "$id" "$id" | sed -n 3p) "
done
kill_secs="$(await_handled "$entries" 300)"
# every payload seen at least once and nothing pending: the killed replica's entries were reclaimed
until [[ "$(rc XPENDING jobs workers | head -1)" == 0 ]]; do sleep 0.2; done
stop_replicas
read -r k_once k_lost k_dup k_which <<<"$(count "$entries")"
outside=0
for p in $k_which; do [[ "$held_payloads" == *" $p "* ]] || outside=$((outside + 1)); done
reclaims="$(cat "$bench_tmp"/k2.log "$bench_tmp"/k3.log | grep -c 'reclaimed' || true)"
echo "SIGKILL of k1 after $killed_at handled: it held $in_flight entries in flight (read, not acknowledged); all done $kill_secs s later; once $k_once, lost $k_lost, duplicates $k_dup (${k_which:-none}), duplicates outside the held entries $outside; reclaim passes logged by the survivors: $reclaims"
(( k_lost == 0 && outside == 0 && k_once + k_dup == entries )) || { echo "FAIL: the kill lost entries or duplicated one it did not hold" >&2; failed=1; }

# --- 2b. one replica SIGTERMed midway: graceful, so no duplicate ----------------------------------
fresh_stream
names=()
for i in $(seq 1 "$replicas"); do names+=("g$i"); start_replica "g$i" "$app/streams.toml"; done
await_logs 'reading stream' "${names[@]}"
add_entries "$entries"
await_handled $((entries * 3 / 10)) 300 >/dev/null
victim="${replica_pids[0]}"
term_start=$EPOCHREALTIME
kill -TERM "$victim"
wait "$victim" 2>/dev/null || true
term_secs="$(awk -v a="$term_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')"
released="$({ grep -o 'released [0-9]* entries' "$bench_tmp/g1.log" || true; } | awk '{ s += $2 } END { print s + 0 }')"
await_handled "$entries" 300 >/dev/null
until [[ "$(rc XPENDING jobs workers | head -1)" == 0 ]]; do sleep 0.2; done
stop_replicas
read -r g_once g_lost g_dup _ <<<"$(count "$entries")"
echo "SIGTERM of g1: it exited $term_secs s later (finishing its entry in flight, releasing $released read but not begun); once $g_once, lost $g_lost, duplicates $g_dup"
(( g_once == entries && g_lost == 0 && g_dup == 0 )) || { echo "FAIL: a graceful stop lost or duplicated entries" >&2; failed=1; }

# --- 3. cron across replicas ---------------------------------------------------------------------
rc FLUSHALL >/dev/null
names=()
for i in $(seq 1 "$replicas"); do names+=("n$i"); start_replica "n$i" "$app/cron.toml"; done
await_logs 'first run at' "${names[@]}"
sleep "$baseline_seconds"
stop_replicas
n_runs="$(rc GET spindle:command-runs | sed 's/^$/0/')"
echo "baseline, $replicas replicas without the lease for $baseline_seconds s: $n_runs runs (about $replicas per tick)"

rc FLUSHALL >/dev/null
names=()
for i in $(seq 1 "$replicas"); do names+=("c$i"); start_replica "c$i" "$app/cron.toml" --runtime-config-file "$app/lease.toml"; done
await_logs 'first run at' "${names[@]}"
sleep "$cron_seconds"
stop_replicas
ticks="$(rc --scan --pattern 'spindle:cron:scale-out:*' | wc -l)"
runs="$(rc GET spindle:command-runs | sed 's/^$/0/')"
cron_dup=$((runs - ticks))
per_replica="$(for n in "${names[@]}"; do printf '%s %s, ' "$n" "$(grep -c 'count=' "$bench_tmp/$n.log" || true)"; done)"
echo "cron, $replicas replicas with the lease for $cron_seconds s: $ticks ticks leased, $runs runs, duplicates $cron_dup; runs per replica: ${per_replica%, }"
(( cron_dup == 0 && ticks >= cron_seconds - 2 )) || { echo "FAIL: cron ticks were not run exactly once each" >&2; failed=1; }

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "scale-out: entries $entries, processed-once $s_once, lost $((s_lost + k_lost + g_lost)), duplicates $k_dup (in flight at kill $in_flight); cron ticks $ticks, duplicates $cron_dup"
exit "$failed"
