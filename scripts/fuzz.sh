#!/usr/bin/env bash
# Fuzzes the GGUF reader with libFuzzer (ASan + UBSan) for SECONDS seconds (default 60), then a
# request's `format` (JSON Schema / GBNF compiler) for half as long.
#   scripts/fuzz.sh [SECONDS]
# Configures the `fuzz` preset (clang, build/fuzz), builds gguf_reader_fuzz and the seed writer,
# seeds build/fuzz/seeds from the handcrafted fixtures and shrunk copies of test data, and runs
# on the growing corpus build/fuzz/corpus. Crash inputs land in build/fuzz/artifacts/.
# Exits non-zero if the fuzzer finds a crash, leak, timeout or huge allocation.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TO_RUN="${1:-60}"
BUILD=build/fuzz
TESTDATA="${OLLA_TESTDATA:-$(cd .. && pwd)/shared/testdata}"

cmake --preset fuzz >/dev/null
cmake --build "$BUILD" --target gguf_reader_fuzz gguf_fuzz_seeds format_fuzz -j "${OLLA_JOBS:-$(nproc)}"

mkdir -p "$BUILD/corpus" "$BUILD/artifacts"
rm -rf "$BUILD/seeds" && mkdir -p "$BUILD/seeds"
seed_files=()
for f in models/stories260K.gguf tokenizer/ggml-vocab-llama-spm.gguf tokenizer/ggml-vocab-gpt-2.gguf \
         models/tiny-llama-q-Q4_K_M.gguf; do
  if [[ -f "$TESTDATA/$f" ]]; then seed_files+=("$TESTDATA/$f"); fi
done
"$BUILD/fuzz/gguf_fuzz_seeds" "$BUILD/seeds" "${seed_files[@]}"

# -rss_limit_mb also caps any single malloc (libFuzzer's -malloc_limit_mb defaults to it), so a
# reader that trusts a hostile count fails here. -timeout catches inputs that take too long.
status=0
"$BUILD/fuzz/gguf_reader_fuzz" -max_total_time="$SECONDS_TO_RUN" -rss_limit_mb=2048 -max_len=65536 \
  -timeout=25 -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/" \
  "$BUILD/corpus" "$BUILD/seeds" 2>&1 | tee "$BUILD/fuzz.log" || status=$?

if ((status != 0)); then
  echo "fuzz: FAILED (exit $status): see $BUILD/fuzz.log and the input in $BUILD/artifacts/" >&2
  exit "$status"
fi
runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$BUILD/fuzz.log" | grep -oE '[0-9]+$' || echo "?")
echo "fuzz: gguf_reader_fuzz ran ${SECONDS_TO_RUN}s, ${runs} inputs, no crash ($(ls "$BUILD/corpus" | wc -l) corpus files)"

# `format`: seeds are a few schemas of the kinds clients send; the corpus grows in build/fuzz/format.
mkdir -p "$BUILD/format/corpus" "$BUILD/format/seeds"
printf '%s' '"json"' > "$BUILD/format/seeds/json"
printf '%s' '{"type":"object","properties":{"name":{"type":"string","maxLength":12,"pattern":"^[a-z]+$"},"age":{"type":"integer","minimum":0,"maximum":120},"tags":{"type":"array","items":{"enum":["a","b"]},"minItems":1,"maxItems":3}},"required":["name"],"additionalProperties":false}' > "$BUILD/format/seeds/object"
printf '%s' '{"$defs":{"n":{"anyOf":[{"type":"null"},{"$ref":"#/$defs/n"}]}},"oneOf":[{"$ref":"#/$defs/n"},{"type":"string","format":"date-time"},{"const":{"k":[1,2.5e3,true]}}]}' > "$BUILD/format/seeds/refs"
"$BUILD/fuzz/format_fuzz" -max_total_time="$((SECONDS_TO_RUN / 2))" -rss_limit_mb=2048 -max_len=4096 \
  -timeout=25 -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/format-" \
  "$BUILD/format/corpus" "$BUILD/format/seeds" 2>&1 | tee "$BUILD/format.log" || status=$?
if ((status != 0)); then
  echo "fuzz: format_fuzz FAILED (exit $status): see $BUILD/format.log and the input in $BUILD/artifacts/" >&2
  exit "$status"
fi
runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$BUILD/format.log" | grep -oE '[0-9]+$' || echo "?")
echo "fuzz: format_fuzz ran $((SECONDS_TO_RUN / 2))s, ${runs} inputs, no crash"
