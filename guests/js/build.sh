#!/usr/bin/env bash
# Builds the JS test components with the Spin JS SDK's build tool (j2w from
# @spinframework/build-tools, npm: componentize-js + StarlingMonkey) into OUT_DIR (default: a
# scratch dir printed on stdout):
#   http/index.js          -> OUT_DIR/js-http.wasm           (HTTP routes, Redis, variables)
#   redis-trigger/index.js -> OUT_DIR/js-redis-trigger.wasm  (a Redis-trigger handler)
# Each is ~12 MB (StarlingMonkey is inside), so they are built where they are needed (tests,
# benchmarks) and never committed. Builds are cached: the tools in $JS_TOOLS_DIR (keyed by
# package-lock.json), the components in $JS_GUESTS_CACHE (keyed by every input's hash), so a test
# run builds them once and later runs on the same machine not at all.
# Exit 3: npm is not installed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$(mktemp -d)}"
command -v npm >/dev/null 2>&1 || { echo "npm is not installed" >&2; exit 3; }
tmp="${TMPDIR:-/tmp}"
inputs=("$here/package-lock.json" "$here/build.sh" "$here"/wit/*.wit "$here"/http/* "$here"/redis-trigger/* "$here"/../component/wit/*.wit "$here"/../component/wit/deps/spin/*.wit)
key="$(cat "${inputs[@]}" | sha256sum | cut -c1-16)"
cache="${JS_GUESTS_CACHE:-$tmp/spindle-js-guests-$key}"
mkdir -p "$out"
if [ -s "$cache/js-http.wasm" ] && [ -s "$cache/js-redis-trigger.wasm" ]; then
  cp "$cache/js-http.wasm" "$cache/js-redis-trigger.wasm" "$out/"
  echo "$out"
  exit 0
fi

# One npm install shared by both components: j2w finds its packages by walking up from the
# component's directory, so the scratch tree is tools/{node_modules,http,redis-trigger}.
tools="${JS_TOOLS_DIR:-$tmp/spindle-js-tools-$(sha256sum < "$here/package-lock.json" | cut -c1-16)}"
if [ ! -x "$tools/node_modules/.bin/j2w" ]; then
  rm -rf "$tools.partial" && mkdir -p "$tools.partial"
  cp "$here/package.json" "$here/package-lock.json" "$tools.partial/"
  (cd "$tools.partial" && npm ci --silent --no-audit --no-fund >/dev/null)
  rm -rf "$tools" && mv "$tools.partial" "$tools"
fi
scratch="$(mktemp -d "$tools/build.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/component" "$cache.partial"
cp -r "$here/../component/wit" "$scratch/component/wit"
mkdir -p "$scratch/js"
cp -r "$here/wit" "$scratch/js/wit"
cp -r "$here/../component/wit/deps" "$scratch/js/wit/deps"
for name in http redis-trigger; do
  cp -r "$here/$name" "$scratch/js/$name"
  # j2w reports a failed build on stderr but exits 0: the output file is the check.
  (cd "$scratch/js/$name" && "$tools/node_modules/.bin/j2w" -i index.js -o "$cache.partial/js-$name.wasm" >"$scratch/$name.log" 2>&1) || true
  if [ ! -s "$cache.partial/js-$name.wasm" ]; then
    echo "j2w failed for guests/js/$name:" >&2
    cat "$scratch/$name.log" >&2
    exit 1
  fi
done
rm -rf "$cache" && mv "$cache.partial" "$cache"
cp "$cache/js-http.wasm" "$cache/js-redis-trigger.wasm" "$out/"
echo "$out"
