#!/usr/bin/env bash
# Builds the AssemblyScript SDK's guests with AssemblyScript 0.28 + @assemblyscript/wasi-shim
# (npm; docs/guests.md lists the toolchains):
#   example/counter.wasm   the README's HTTP counter
#   test/sdk-test.wasm     redis + variables + handler exports, driven by SdkGuestsTest
#   test/ext-test.wasm     spindle:redis/extended@0.1.0, driven by SdkGuestsTest
# Usage: sdk/assemblyscript/build.sh [ENTRY.ts OUTPUT.wasm]   (no arguments: all of the above)
# Exit status: 0 built, 1 a build failed, 3 a toolchain is missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "sdk/assemblyscript: node and npm not found; install them with: apt-get install -y nodejs npm" >&2
  exit 3
fi
if [[ ! -x node_modules/.bin/asc || ! -d node_modules/@assemblyscript/wasi-shim ]]; then
  echo "sdk/assemblyscript: installing assemblyscript and @assemblyscript/wasi-shim from package-lock.json (npm ci) ..." >&2
  if ! npm ci --no-audit --no-fund >&2; then
    echo "sdk/assemblyscript: npm ci failed; install the compiler with: (cd sdk/assemblyscript && npm i -D assemblyscript@0.28 @assemblyscript/wasi-shim)" >&2
    exit 3
  fi
fi

# asconfig.json: WASI shim, _initialize as the start export (a reactor), incremental GC;
# transform/exports.js renames the glue exports to their canonical-ABI names.
build() {
  local src="$1" out="$2"
  node_modules/.bin/asc "$src" --config asconfig.json --transform ./transform/exports.js -o "$out"
  echo "built $out ($(wc -c < "$out") bytes)"
}

if [[ $# -eq 2 ]]; then
  build "$1" "$2"
elif [[ $# -eq 0 ]]; then
  build example/counter.ts example/counter.wasm
  build test/sdk-test.ts test/sdk-test.wasm
  build test/ext-test.ts test/ext-test.wasm
else
  echo "usage: $0 [ENTRY.ts OUTPUT.wasm]" >&2
  exit 2
fi
