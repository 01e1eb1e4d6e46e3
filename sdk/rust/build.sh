#!/usr/bin/env bash
# Builds the Rust SDK's guests with Debian's rustc 1.63 + cargo (docs/guests.md lists the toolchains):
#   example/counter.wasm   the README's HTTP counter
#   test/sdk-test.wasm     redis + variables + handler exports, driven by SdkGuestsTest
#   test/ext-test.wasm     spindle:redis/extended@0.1.0, driven by SdkGuestsTest
# Debian's toolchain is used even when a rustup toolchain (without the wasm target) comes
# first on PATH. Exit status: 0 built, 1 a build failed, 3 a toolchain is missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PATH="/usr/bin:$PATH"
INSTALL="apt-get install -y rustc cargo libstd-rust-dev-wasm32"
TARGET=wasm32-wasi

if ! command -v cargo >/dev/null 2>&1 || ! command -v rustc >/dev/null 2>&1; then
  echo "sdk/rust: cargo/rustc not found; install Debian's with: $INSTALL" >&2
  exit 3
fi
sysroot="$(rustc --print sysroot)"
if [[ ! -d "$sysroot/lib/rustlib/$TARGET" ]]; then
  echo "sdk/rust: rustc $(rustc --version | cut -d' ' -f2) at $(command -v rustc) has no $TARGET standard library;" >&2
  echo "install it with: $INSTALL" >&2
  exit 3
fi

cd "$here"
cargo build --offline --target "$TARGET" --release --workspace
out="$here/target/$TARGET/release"
install_wasm() {
  cp "$out/$1" "$2"
  echo "built $2 ($(wc -c < "$2") bytes)"
}
install_wasm counter.wasm "$here/example/counter.wasm"
install_wasm sdk_test.wasm "$here/test/sdk-test.wasm"
install_wasm ext_test.wasm "$here/test/ext-test.wasm"
