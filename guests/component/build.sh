#!/usr/bin/env bash
# Rebuilds the committed test components from their C sources:
#   <name>.c --clang--> core module --jco embed (wit/)--> --jco new--> <name>.component.wasm
# Needs clang-16 + lld-16 (wasm32) and npm (installs @bytecodealliance/jco into a scratch dir).
# These components import no WASI, so no preview 1 adapter (and none of its code) is inside them.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
JCO_VERSION=1.16.1
tools="${JCO_DIR:-${TMPDIR:-/tmp}/spindle-jco-$JCO_VERSION}"
if [ ! -x "$tools/node_modules/.bin/jco" ]; then
  mkdir -p "$tools"
  (cd "$tools" && npm init -y >/dev/null && npm install --silent "@bytecodealliance/jco@$JCO_VERSION" >/dev/null)
fi
jco="$tools/node_modules/.bin/jco"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for name in redis-counter; do
  clang-16 --target=wasm32-unknown-unknown -O2 -nostdlib -fno-builtin \
    -Wl,--no-entry -Wl,--export-dynamic -Wl,--strip-all \
    -o "$scratch/$name.core.wasm" "$here/$name.c"
  "$jco" embed --wit "$here/wit" "$scratch/$name.core.wasm" -o "$scratch/$name.embedded.wasm" >/dev/null
  "$jco" new "$scratch/$name.embedded.wasm" -o "$here/$name.component.wasm" >/dev/null
  echo "built $name.component.wasm ($(wc -c < "$here/$name.component.wasm") bytes)"
done
