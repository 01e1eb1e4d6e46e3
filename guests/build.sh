#!/usr/bin/env bash
# Rebuilds every guests/wat/<name>.wat into guests/<name>.wasm (committed, so a
# fresh clone runs without toolchains). Needs wabt: apt-get install -y wabt
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
