#!/usr/bin/env bash
# Builds ts-visits.wasm: installs the Spin JS SDK's build tool and TypeScript from npm (npm ci, the
# versions in package-lock.json), compiles src/*.ts to build/, then j2w (componentize-js +
# StarlingMonkey) makes the component. ~12 MB, so it is built, not committed.
# Exit 3: npm is not installed.
set -euo pipefail
cd "$(dirname "$0")"
command -v npm >/dev/null 2>&1 || { echo "npm is not installed (apt-get install npm)" >&2; exit 3; }
[ -x node_modules/.bin/j2w ] || npm ci --no-audit --no-fund
npx tsc
rm -f ts-visits.wasm
# j2w reports a failed build on stderr but exits 0: the output file is the check.
npx j2w -i build/index.js -o ts-visits.wasm
[ -s ts-visits.wasm ] || { echo "j2w did not write ts-visits.wasm" >&2; exit 1; }
echo "built ts-visits.wasm ($(wc -c < ts-visits.wasm) bytes)"
