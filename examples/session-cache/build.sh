#!/usr/bin/env bash
# Rebuilds session-cache.wasm from src/lib.rs with the Rust SDK (sdk/rust) and Debian's
# rustc 1.63 + cargo for wasm32-wasi (used even when a rustup toolchain without the wasm target
# comes first on PATH).
# Usage: examples/session-cache/build.sh [OUTPUT_DIR]   (default: this directory)
# Exit status: 0 built, 1 the build failed, 3 the toolchain is missing (the message says what to install).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$here}"
export PATH="/usr/bin:$PATH"
INSTALL="apt-get install -y rustc cargo libstd-rust-dev-wasm32"
TARGET=wasm32-wasi

if ! command -v cargo >/dev/null 2>&1 || ! command -v rustc >/dev/null 2>&1; then
  echo "examples/session-cache: cargo/rustc not found; install Debian's with: $INSTALL" >&2
  exit 3
fi
if [[ ! -d "$(rustc --print sysroot)/lib/rustlib/$TARGET" ]]; then
  echo "examples/session-cache: rustc at $(command -v rustc) has no $TARGET standard library; install it with: $INSTALL" >&2
  exit 3
fi

# Cargo hashes a path dependency's absolute location into its symbol names (and rustc puts
# paths into panic locations), which changes the module's bytes: build from a copy at a fixed
# path, with that path mapped away, so every checkout produces the same module.
work=/tmp/spindle-reproducible-build  # fixed on purpose: the path is part of the build
# One build at a time in that directory: two test runs on one machine (two checkouts) would
# otherwise delete each other's files mid-build.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$work.lock"
  flock 9
fi
rm -rf "$work"
mkdir -p "$work/examples/session-cache" "$work/sdk"
cp -r "$here/Cargo.toml" "$here/Cargo.lock" "$here/src" "$work/examples/session-cache/"
cp -r "$root/sdk/rust" "$work/sdk/rust"
rm -rf "$work/sdk/rust/target"
(cd "$work/examples/session-cache" &&
  RUSTFLAGS="--remap-path-prefix=$work=/spindle" cargo build --offline --locked --target "$TARGET" --release)
cp "$work/examples/session-cache/target/$TARGET/release/session_cache.wasm" "$out/session-cache.wasm"
rm -rf "$work"
echo "built $out/session-cache.wasm ($(wc -c < "$out/session-cache.wasm") bytes)"
