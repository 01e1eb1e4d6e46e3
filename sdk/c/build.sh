#!/usr/bin/env bash
# Builds the C SDK's guests with clang-16 + wasi-libc (docs/guests.md lists the toolchains):
#   example/counter.wasm   the README's HTTP counter
#   test/sdk-test.wasm     redis + variables + handler exports, driven by SdkGuestsTest
#   test/ext-test.wasm     spindle:redis/extended@0.1.0, driven by SdkGuestsTest
# Usage: sdk/c/build.sh [SOURCE.c OUTPUT.wasm]   (no arguments: all of the above)
# Exit status: 0 built, 1 a build failed, 3 a toolchain is missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CC="${CC:-clang-16}"
INSTALL="apt-get install -y clang-16 lld-16 libclang-rt-16-dev-wasm32 wasi-libc"

if ! command -v "$CC" >/dev/null 2>&1; then
  echo "sdk/c: $CC not found; install it with: $INSTALL" >&2
  exit 3
fi
probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
printf '#include <stdlib.h>\nint main(void){return 0;}\n' > "$probe/probe.c"
if ! "$CC" --target=wasm32-wasi -O2 "$probe/probe.c" -o "$probe/probe.wasm" 2> "$probe/err"; then
  echo "sdk/c: $CC cannot build for wasm32-wasi (missing wasi-libc, wasm-ld or the wasm32 runtime library):" >&2
  sed 's/^/  /' "$probe/err" >&2
  echo "install them with: $INSTALL" >&2
  exit 3
fi

# A reactor (exports _initialize, which the host calls before the handler); -Werror keeps the
# committed guests warning-free.
build() {
  local src="$1" out="$2"
  "$CC" --target=wasm32-wasi -O2 -mexec-model=reactor -Wall -Wextra -Werror \
    -I "$here" "$src" "$here/spindle.c" -o "$out"
  if command -v wasm-strip >/dev/null 2>&1; then
    wasm-strip "$out"
  else
    echo "sdk/c: wasm-strip not found (apt-get install -y wabt): $out keeps its name section" >&2
  fi
  echo "built $out ($(wc -c < "$out") bytes)"
}

if [[ $# -eq 2 ]]; then
  build "$1" "$2"
elif [[ $# -eq 0 ]]; then
  build "$here/example/counter.c" "$here/example/counter.wasm"
  build "$here/test/sdk-test.c" "$here/test/sdk-test.wasm"
  build "$here/test/ext-test.c" "$here/test/ext-test.wasm"
else
  echo "usage: $0 [SOURCE.c OUTPUT.wasm]" >&2
  exit 2
fi
