#!/usr/bin/env bash
# CPU decode on this machine: llama.cpp (node-llama-cpp's prebuilt CPU build)
# on one shape in F16, Q8_0 and Q4_0, 1 and 2 threads, ctx 512, 40-token
# prompt, 31 decode steps; logs to tools/nlc/results/cpu_*.log.  Then
# compare_cpu.py sets llmroof's CPU tier beside them (docs/accuracy.md
# "CPU decode against llama.cpp").  Needs `npm install` in tools/nlc once;
# writes three files of 0.5-1.7 GB to a temporary directory (~5 minutes).
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
shape=(--layers 16 --hidden 2048 --heads 16 --kv-heads 4 --ffn 5632 --vocab 32000 --ctx 4096)
for t in f16 q8_0 q4_0; do
    python3 make_tiny_gguf.py "$tmp/big-$t.gguf" --type "$t" "${shape[@]}" >/dev/null
    for th in 1 2; do
        node measure.mjs "$tmp/big-$t.gguf" --ctx 512 --fa on --decode 32 --threads "$th" \
            > "results/cpu_${t}_t${th}.log" 2>&1
        grep "eval time" "results/cpu_${t}_t${th}.log" | sed "s/^/$t t$th: /"
    done
done
