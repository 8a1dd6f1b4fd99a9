#!/usr/bin/env bash
# The speed targets of issue #4: pp512 and tg128 on the Llama-3.2-1B shape for F16, Q8_0, Q4_0
# and Q4_K_M, with the memory bandwidth measured in the same run. Synthesizes the models (random
# weights, ~0.6-2 GB each) into DIR on first use. Not part of CI: run it on a quiet machine.
#   bench/targets.sh [OLLA_BINARY] [DIR]      (defaults: build/release/apps/olla, /tmp/olla-bench)
# Prints one table per model; OLLA_BENCH_ARGS adds options (e.g. --json, -t 1,2).
set -euo pipefail
OLLA="${1:-build/release/apps/olla}"
DIR="${2:-/tmp/olla-bench}"
THREADS="${OLLA_BENCH_THREADS:-2}"
mkdir -p "$DIR"
VOCAB="$(cd "$(dirname "$0")/.." && pwd)/models/stories260K.gguf"
for type in F16 Q8_0 Q4_0 Q4_K_M; do
  model="$DIR/llama3.2-1b-$type.gguf"
  [[ -f "$model" ]] || "$OLLA" debug synth --shape llama3.2-1b --type "$type" --vocab-from "$VOCAB" -o "$model"
  # shellcheck disable=SC2086
  "$OLLA" bench "$model" -p 512 -n 128 -r 3 -t "$THREADS" ${OLLA_BENCH_ARGS:-}
done
