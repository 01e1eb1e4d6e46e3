#!/usr/bin/env bash
# Compile-cache benchmark: starts a Component Model binary three times, each in a fresh JVM —
# with an empty cache (miss: parse + validate + compile + store), with the cache the first start
# filled (hit: parse, load the classes), and with no cache — and prints each phase's time plus
# the cost of instantiating the flattened component (what a fresh instance per request pays).
#
# The default component is the 12 MB JS HTTP test component guests/js/http, built with the Spin JS
# SDK's build tool (guests/js/build.sh: @spinframework/build-tools from npm, componentize-js +
# StarlingMonkey); COMPONENT=path.wasm benchmarks another. Nothing built here is committed.
# End to end through `spindle run` (first response, per-request latency): bench/js-component.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
work="${BENCH_DIR:-${TMPDIR:-/tmp}/spindle-compile-cache-bench}"
mkdir -p "$work"
component="${COMPONENT:-}"
if [ -z "$component" ]; then
  echo "building the JS components with the Spin JS SDK's j2w (guests/js/build.sh, npm) ..." >&2
  guests/js/build.sh "$work/js" >/dev/null
  component="$work/js/js-http.wasm"
fi
# One reactor build: compiles runtime's tests and writes its test class path (siblings resolve to
# their target/classes within the reactor; the last module written, runtime, wins the file).
mvn -q -B -ntp -pl runtime -am test-compile dependency:build-classpath -DskipTests \
  -Dmdep.outputFile="$work/classpath.txt" -Dmdep.includeScope=test >/dev/null
cp="$repo/runtime/target/test-classes:$repo/runtime/target/classes:$(cat "$work/classpath.txt")"
cache="$work/cache"
rm -rf "$cache"
run() { java -Xss16m -cp "$cp" dev.spindle.runtime.internal.CompileCacheBench "$component" "$1" "${INSTANCES:-5}"; }
echo "component: $component ($(wc -c < "$component") bytes), Java $(java -version 2>&1 | head -1 | cut -d'"' -f2), $(nproc) cores"
printf 'miss: '; run "$cache"
printf 'hit:  '; run "$cache"
printf 'none: '; run none
echo "cache size: $(du -sh "$cache" | cut -f1)"
