#!/usr/bin/env bash
# Rebuilds limiter.wasm from limiter.c with the C SDK (sdk/c; clang-16 + wasi-libc).
# Usage: examples/rate-limit/build.sh [OUTPUT_DIR]   (default: this directory)
# Exit status: 0 built, 1 the build failed, 3 the toolchain is missing (the message says what to install).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here}"
exec "$here/../../sdk/c/build.sh" "$here/limiter.c" "$out/limiter.wasm"
