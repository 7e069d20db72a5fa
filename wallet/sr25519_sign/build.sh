#!/bin/sh
# Builds sr25519_sign.wasm from src/lib.rs and puts it beside this folder as
# wallet/sr25519_sign.wasm. Needs Rust (rustup) with: rustup target add wasm32-unknown-unknown
set -eu
cd "$(dirname "$0")"
cargo build --locked --release --target wasm32-unknown-unknown
cp target/wasm32-unknown-unknown/release/sr25519_sign.wasm ../sr25519_sign.wasm
echo "built ../sr25519_sign.wasm with $(rustc --version)"
