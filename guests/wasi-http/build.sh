#!/usr/bin/env bash
# Rebuilds the wasi:http test guests from app.c and the hand-written bindings (see README.md):
#   http-0.2.0.wasm              app.c + bind-0.2.0.c
#   http-rc-2023-11-10.wasm      app.c + bind-0.2.0.c -DRC_2023_11_10
#   http-rc-2023-10-18.wasm      app.c + bind-rc-2023-10-18.c
#   spin-http-outbound.wasm      spin-http-outbound.c (Spin's fermyon:spin/http and wasi-outbound-http)
# Needs clang-16 + lld-16 + wasi-libc and wabt (wasm-strip). Built from this directory with
# relative paths, so the output is byte-identical in any checkout.
# Exit status: 0 built, 1 a build failed, 3 a toolchain is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
CC="${CC:-clang-16}"
for tool in "$CC" wasm-strip; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "guests/wasi-http: $tool not found; install it with: apt-get install -y clang-16 lld-16 libclang-rt-16-dev-wasm32 wasi-libc wabt" >&2
    exit 3
  fi
done

build() {
  local out="$1"
  shift
  "$CC" --target=wasm32-wasi -O2 -mexec-model=reactor -Wall -Wextra -Werror "$@" -o "$out"
  wasm-strip "$out"
  echo "built $out ($(wc -c < "$out") bytes)"
}

build http-0.2.0.wasm app.c bind-0.2.0.c
build http-rc-2023-11-10.wasm -DRC_2023_11_10 app.c bind-0.2.0.c
build http-rc-2023-10-18.wasm app.c bind-rc-2023-10-18.c
build spin-http-outbound.wasm spin-http-outbound.c
