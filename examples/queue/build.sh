#!/usr/bin/env bash
# Rebuilds the queue's two modules with the C SDK (sdk/c; clang-16 + wasi-libc):
#   producer.wasm  the HTTP component (a reactor, built by sdk/c/build.sh)
#   worker.wasm    the cron component (a WASI command with _start: same flags, without -mexec-model=reactor)
# Usage: examples/queue/build.sh [OUTPUT_DIR]   (default: this directory)
# Exit status: 0 built, 1 a build failed, 3 the toolchain is missing (the message says what to install).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sdk="$(cd "$here/../../sdk/c" && pwd)"
out="${1:-$here}"
CC="${CC:-clang-16}"
# Checks the toolchain (exit 3 with the install line when it is missing) and builds the producer.
"$sdk/build.sh" "$here/producer.c" "$out/producer.wasm"
"$CC" --target=wasm32-wasi -O2 -Wall -Wextra -Werror -I "$sdk" "$here/worker.c" "$sdk/spindle.c" -o "$out/worker.wasm"
if command -v wasm-strip >/dev/null 2>&1; then
  wasm-strip "$out/worker.wasm"
else
  echo "examples/queue: wasm-strip not found (apt-get install -y wabt): worker.wasm keeps its name section" >&2
fi
echo "built $out/worker.wasm ($(wc -c < "$out/worker.wasm") bytes)"
