#!/usr/bin/env bash
# Compile-cache benchmark: starts a Component Model binary three times, each in a fresh JVM —
# with an empty cache (miss: parse + validate + compile + store), with the cache the first start
# filled (hit: parse, load the classes), and with no cache — and prints each phase's time plus
# the cost of instantiating the flattened component (what a fresh instance per request pays).
#
# The default component is a 12 MB JS HTTP handler built here with the Spin JS SDK's build tool
# (@spinframework/build-tools from npm, componentize-js + StarlingMonkey) from bench/js-hello/;
# COMPONENT=path.wasm benchmarks another. Nothing built here is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
work="${BENCH_DIR:-${TMPDIR:-/tmp}/spindle-compile-cache-bench}"
mkdir -p "$work"
component="${COMPONENT:-}"
if [ -z "$component" ]; then
  component="$work/js-hello.wasm"
  if [ ! -s "$component" ]; then
    echo "building the JS component with @spinframework/build-tools (npm) ..." >&2
    rm -rf "$work/js" && mkdir -p "$work/js" && cp bench/js-hello/index.js bench/js-hello/package.json "$work/js/"
    (cd "$work/js" && npm install --silent --no-audit --no-fund >/dev/null && npx j2w -i index.js -o "$component" >/dev/null)
  fi
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
