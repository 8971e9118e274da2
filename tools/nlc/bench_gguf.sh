#!/usr/bin/env bash
# GGUF header read time: llmroof beside node-llama-cpp on the same files
# (issue 5, "Speed"; docs/performance.md "Reading GGUF headers").
# Writes full-size headers (no tensor data, sparse files) with the test
# writer, including the tokenizer's vocabulary as real files carry it, then
# runs llmroof-bench --gguf and bench_gguf.mjs on them.
#   tools/nlc/bench_gguf.sh [BUILD_DIR]     (needs `npm install` in tools/nlc)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
files=()
for arch in deepseek2 llama gpt-oss; do
    python3 tests/gguf/make_gguf.py --arch "$arch" --ftype Q4_K_M --vocab --out "$tmp/$arch.gguf" >/dev/null
    files+=("$tmp/$arch.gguf")
done
args=()
for f in "${files[@]}"; do args+=(--gguf "$f"); done
"$build/examples/llmroof-bench" "${args[@]}"
(cd tools/nlc && node bench_gguf.mjs "${files[@]}")
