#!/usr/bin/env bash
# Rebuilds every guests/wat/<name>.wat into guests/<name>.wasm, and every guests/c/<name>.c into
# guests/<name>.wasm (committed, so a fresh clone runs without toolchains). Needs wabt
# (apt-get install -y wabt) and, for the C guests, clang-16 lld-16 wasi-libc.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v wat2wasm >/dev/null 2>&1; then
  echo "build.sh: wat2wasm not found: install wabt (apt-get install -y wabt)" >&2
  exit 1
fi

shopt -s nullglob
sources=(wat/*.wat)
if [ ${#sources[@]} -eq 0 ]; then
  echo "build.sh: no wat/*.wat sources in $(pwd)" >&2
  exit 1
fi

for src in "${sources[@]}"; do
  name="$(basename "$src" .wat)"
  wat2wasm "$src" -o "$name.wasm"
  if command -v wasm-validate >/dev/null 2>&1; then
    wasm-validate "$name.wasm"
  fi
  echo "built $name.wasm"
done

# C guests: reactors (they export _initialize, which the engine calls), stripped.
c_sources=(c/*.c)
if [ ${#c_sources[@]} -gt 0 ]; then
  if ! command -v clang-16 >/dev/null 2>&1; then
    echo "build.sh: clang-16 not found: install clang-16 lld-16 wasi-libc to rebuild the C guests" >&2
    exit 1
  fi
  for src in "${c_sources[@]}"; do
    name="$(basename "$src" .c)"
    clang-16 --target=wasm32-wasi -O2 -mexec-model=reactor -o "$name.wasm" "$src"
    wasm-strip "$name.wasm"
    wasm-validate "$name.wasm"
    echo "built $name.wasm"
  done
fi
