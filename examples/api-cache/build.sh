#!/usr/bin/env bash
# Rebuilds api-cache.wasm from api-cache.ts with the AssemblyScript SDK (sdk/assemblyscript:
# AssemblyScript 0.28 + @assemblyscript/wasi-shim from its package-lock.json).
# Usage: examples/api-cache/build.sh [OUTPUT_DIR]   (default: this directory)
# Exit status: 0 built, 1 the build failed, 3 the toolchain is missing (the message says what to install).
# Without sdk/assemblyscript/node_modules, the SDK's build.sh first runs npm ci there.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$(mkdir -p "${1:-$here}" && cd "${1:-$here}" && pwd)"
# The entry is given relative to sdk/assemblyscript (where the SDK's build.sh runs asc), so the
# module does not depend on where the checkout lives.
exec "$here/../../sdk/assemblyscript/build.sh" ../../examples/api-cache/api-cache.ts "$out/api-cache.wasm"
