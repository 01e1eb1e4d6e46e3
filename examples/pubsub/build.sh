#!/usr/bin/env bash
# Rebuilds publisher.wasm (HTTP) and recorder.wasm (Redis trigger) with the C SDK (sdk/c;
# clang-16 + wasi-libc).
# Usage: examples/pubsub/build.sh [OUTPUT_DIR]   (default: this directory)
# Exit status: 0 built, 1 a build failed, 3 the toolchain is missing (the message says what to install).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here}"
"$here/../../sdk/c/build.sh" "$here/publisher.c" "$out/publisher.wasm"
"$here/../../sdk/c/build.sh" "$here/recorder.c" "$out/recorder.wasm"
