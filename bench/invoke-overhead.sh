#!/usr/bin/env bash
# P4 (issue 14): per-invocation overhead of a guest, empty handler, instance acquired -> export
# called -> released, one invocation at a time, in one JVM (bench/invoke/InvokeOverhead.java, a
# plain harness compiled here against spindle.jar). Guests:
#   hello-redis  examples/hello-redis/hello.wasm, the 34 KB C example (POST: it answers 405 at once)
#   big-asset    bench/invoke/big-asset.c built here with a generated ASSET_KB (default 1536) KB
#                asset: a 1-2 MB guest of our own (200, empty body)
#   legacy-rust  Spin's 2.2 MB Rust guest, if $SPIN_GUESTS/legacy-rust/legacy-rust.wasm exists
#                (default SPIN_GUESTS=/tmp/spin-guests; not ours, never committed)
#   js           a JS component, if JS_COMPONENT=path.wasm is given: a wasi:http component has no
#                inbound-http export, so its row is GET JS_PATH (default /hello) through app.http()
# Prints p50/p90/p99/mean in microseconds per guest; the target is p50 <= 50 us (<= 2 ms for JS).
# The floor measured in the same run is "acquire+release" (no export called).
# Options: WARMUP (seconds per row, default 5), BENCH_SECONDS (per row, default 5), ASSET_KB.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
warmup="${WARMUP:-5}"
seconds="${BENCH_SECONDS:-5}"
asset_kb="${ASSET_KB:-1536}"
spin_guests="${SPIN_GUESTS:-/tmp/spin-guests}"

bench_build_jar
java="$(bench_java)"
jar="$bench_root/cli/target/spindle.jar"
mkdir -p "$bench_tmp/classes"
"$(dirname "$java")/javac" -nowarn -d "$bench_tmp/classes" -cp "$jar" "$bench_root/bench/invoke/InvokeOverhead.java"

guests=("hello-redis=$bench_root/examples/hello-redis/hello.wasm")
if command -v clang-16 >/dev/null 2>&1; then
  python3 - "$asset_kb" >"$bench_tmp/asset.h" <<'PY'
import sys, random
n = int(sys.argv[1]) * 1024
r = random.Random(14)
print("static const unsigned char ASSET[%d] = {" % n)
data = r.randbytes(n)
for i in range(0, n, 32):
    print(",".join(str(b) for b in data[i:i + 32]) + ",")
print("};")
PY
  clang-16 --target=wasm32-wasi -O2 -mexec-model=reactor -I"$bench_tmp" -I"$bench_root/guests/c" \
    -o "$bench_tmp/big-asset.wasm" "$bench_root/bench/invoke/big-asset.c"
  wasm-strip "$bench_tmp/big-asset.wasm" 2>/dev/null || true
  guests+=("big-asset=$bench_tmp/big-asset.wasm")
else
  echo "bench: clang-16 not found: big-asset skipped (apt-get install -y clang-16 lld-16 wasi-libc)" >&2
fi
[[ -f "$spin_guests/legacy-rust/legacy-rust.wasm" ]] && guests+=("legacy-rust=$spin_guests/legacy-rust/legacy-rust.wasm")
[[ -n "${JS_COMPONENT:-}" ]] && guests+=("js=$JS_COMPONENT@${JS_PATH:-/hello}")

echo "java: $("$java" -version 2>&1 | head -1); $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg); ${warmup}s warm-up, ${seconds}s per row"
# (a guest that logs each request, as legacy-rust does, writes [guest] lines: not shown)
"$java" -cp "$bench_tmp/classes:$jar" dev.spindle.runtime.trigger.InvokeOverhead "$warmup" "$seconds" "${guests[@]}" 2>&1 | grep -v "^\[guest\]"
echo "load average after: $(cut -d" " -f1-3 /proc/loadavg)"
