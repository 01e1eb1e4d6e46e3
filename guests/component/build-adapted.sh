#!/usr/bin/env bash
# Builds the components that carry the WASI preview 1 adapter, into OUT_DIR (default: a scratch
# dir printed on stdout). The adapter is bytecodealliance code shipped inside jco (npm), so these
# components are built where they are needed (tests, benchmarks) and never committed.
#   hello-command.c --clang (wasm32-wasi)--> --jco embed (wit-command/)--> --jco new --wasi-command-->
# Exit 3: a toolchain is missing (clang-16 with wasi-libc, or npm).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$(mktemp -d)}"
JCO_VERSION=1.16.1
command -v clang-16 >/dev/null 2>&1 || { echo "clang-16 is not installed" >&2; exit 3; }
command -v npm >/dev/null 2>&1 || { echo "npm is not installed" >&2; exit 3; }
tools="${JCO_DIR:-${TMPDIR:-/tmp}/spindle-jco-$JCO_VERSION}"
if [ ! -x "$tools/node_modules/.bin/jco" ]; then
  mkdir -p "$tools"
  (cd "$tools" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund "@bytecodealliance/jco@$JCO_VERSION" >/dev/null)
fi
jco="$tools/node_modules/.bin/jco"
mkdir -p "$out"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
clang-16 --target=wasm32-wasi -O2 -o "$scratch/hello-command.core.wasm" "$here/hello-command.c"
"$jco" embed --wit "$here/wit-command" "$scratch/hello-command.core.wasm" -o "$scratch/hello-command.embedded.wasm" >/dev/null
"$jco" new --wasi-command "$scratch/hello-command.embedded.wasm" -o "$out/hello-command.component.wasm" >/dev/null
echo "$out"
