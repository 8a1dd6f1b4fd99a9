#!/usr/bin/env bash
# Fuzzes the parsers of untrusted input with libFuzzer (ASan + UBSan). For SECONDS (default 60):
# the GGUF reader 2/3 of SECONDS, then for 1/6 of SECONDS each a request's `format` (JSON Schema /
# GBNF compiler), the chat template engines (Go and Jinja TEMPLATEs, parsed and rendered), the
# tool-call parser, the Modelfile parser and model loading (edits of the test models' metadata
# and tensor shapes), and for 1/12 the thinking parser: 95 s for SECONDS=60.
#   scripts/fuzz.sh [SECONDS]
# Configures the `fuzz` preset (clang) in $OLLA_FUZZ_BUILD (default build/fuzz), builds the
# fuzzers and the GGUF seed writer, writes small seed corpora under it (GGUF: handcrafted fixtures
# and shrunk copies of test data; the others: a few typical inputs written here, the catalogue's
# templates) and runs each fuzzer on its growing corpus (GGUF: corpus/, the others: <name>/corpus).
# Crash inputs land in $OLLA_FUZZ_BUILD/artifacts/.
# Exits non-zero if a fuzzer finds a crash, leak, failed check, timeout or huge allocation.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TO_RUN="${1:-60}"
BUILD="${OLLA_FUZZ_BUILD:-build/fuzz}"
TESTDATA="${OLLA_TESTDATA:-$(cd .. && pwd)/shared/testdata}"

cmake --preset fuzz -B "$BUILD" >/dev/null
cmake --build "$BUILD" --target gguf_reader_fuzz gguf_fuzz_seeds format_fuzz template_fuzz tool_call_fuzz \
  modelfile_fuzz thinking_fuzz model_load_fuzz -j "${OLLA_JOBS:-$(nproc)}"

mkdir -p "$BUILD/corpus" "$BUILD/artifacts"
rm -rf "$BUILD/seeds" && mkdir -p "$BUILD/seeds"
seed_files=()
for f in models/stories260K.gguf tokenizer/ggml-vocab-llama-spm.gguf tokenizer/ggml-vocab-gpt-2.gguf \
         models/tiny-llama-q-Q4_K_M.gguf; do
  if [[ -f "$TESTDATA/$f" ]]; then seed_files+=("$TESTDATA/$f"); fi
done
"$BUILD/fuzz/gguf_fuzz_seeds" "$BUILD/seeds" "${seed_files[@]}"

# run NAME SECONDS MAX_LEN: runs fuzzer NAME_fuzz on $BUILD/NAME/{corpus,seeds}; stops at a finding.
run() {
  local name=$1 secs=$2 max_len=$3 corpus="$BUILD/$1/corpus" seeds="$BUILD/$1/seeds" status=0
  if [[ $name == gguf_reader ]]; then corpus="$BUILD/corpus" seeds="$BUILD/seeds"; fi
  # -rss_limit_mb also caps any single malloc (libFuzzer's -malloc_limit_mb defaults to it), so a
  # parser that trusts a hostile count fails here. -timeout catches inputs that take too long.
  "$BUILD/fuzz/${name}_fuzz" -max_total_time="$secs" -rss_limit_mb=2048 -max_len="$max_len" \
    -timeout=25 -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/$name-" \
    "$corpus" "$seeds" > "$BUILD/$name.log" 2>&1 || status=$?
  if ((status != 0)); then
    tail -n 60 "$BUILD/$name.log" >&2
    echo "fuzz: ${name}_fuzz FAILED (exit $status): see $BUILD/$name.log and the input in $BUILD/artifacts/" >&2
    exit "$status"
  fi
  local runs
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$BUILD/$name.log" | grep -oE '[0-9]+$' || echo "?")
  echo "fuzz: ${name}_fuzz ran ${secs}s, ${runs} inputs, no crash ($(ls "$corpus" | wc -l) corpus files)"
}

# seed NAME FILE BYTES...: writes a seed file (printf %b, so \xNN escapes work).
seed() { mkdir -p "$BUILD/$1/corpus" "$BUILD/$1/seeds" && printf '%b' "$3" > "$BUILD/$1/seeds/$2"; }

# `format`: a few schemas of the kinds clients send.
seed format json '"json"'
seed format object '{"type":"object","properties":{"name":{"type":"string","maxLength":12,"pattern":"^[a-z]+$"},"age":{"type":"integer","minimum":0,"maximum":120},"tags":{"type":"array","items":{"enum":["a","b"]},"minItems":1,"maxItems":3}},"required":["name"],"additionalProperties":false}'
seed format refs '{"$defs":{"n":{"anyOf":[{"type":"null"},{"$ref":"#/$defs/n"}]}},"oneOf":[{"$ref":"#/$defs/n"},{"type":"string","format":"date-time"},{"const":{"k":[1,2.5e3,true]}}]}'

# Templates: byte 0 'g' (odd) = Go, 'j' (even) = Jinja; the catalogue's Go templates and the
# Jinja test templates.
mkdir -p "$BUILD/template/corpus" "$BUILD/template/seeds"
for f in src/chat/catalog/templates/*.gotmpl; do { printf g; cat "$f"; } > "$BUILD/template/seeds/go-$(basename "$f" .gotmpl)"; done
for f in tests/testdata/chat/jinja/*.jinja; do { printf j; cat "$f"; } > "$BUILD/template/seeds/jinja-$(basename "$f" .jinja)"; done

# Model output: byte 0 picks the format / tags (bit 7: the request names tools / starts inside
# thinking), byte 1 the chunk sizes when streamed.
seed tool_call llama '\x80\x1b{"name": "get_weather", "parameters": {"city": "Paris"}}'
seed tool_call hermes '\x82\x1bSure.<tool_call>{"name":"search","arguments":{"q":"x"}}</tool_call>\n<tool_call>{"name":"get_weather","arguments":"{\\"city\\":\\"Rome\\"}"}</tool_call> done'
seed tool_call mistral '\x83\x1b[TOOL_CALLS][{"name":"search","arguments":{"q":"x"}}] [TOOL_CALLS]get_weather[ARGS]{"city":"Oslo"}'
seed tool_call array '\x81\x1b [{"function":{"name":"search","arguments":{"q":[1,{"a":"\\\\"]"}]}}}]'
seed thinking think '\x00\x1b  <think> plan it </think>  The answer.'
seed thinking inside '\x80\x1binside</think>out'
seed thinking harmony '\x03\x1b<|channel|>analysis<|message|>hmm<|end|>ok'

seed modelfile basic 'FROM llama3.2\nPARAMETER temperature 0.6\nPARAMETER stop <|eot_id|>\nSYSTEM """\nmulti\n"line"\n"""\nMESSAGE user hi\nMESSAGE assistant "ok"\n'
seed modelfile all '# c\r\nfrom ./m.gguf\r\nTEMPLATE "{{ .Prompt }}"\r\nLICENSE MIT\nADAPTER ./a\nREQUIRES 0.1.2\nDRAFT ./d\nRENDERER r\nPARSER p\n'
seed modelfile utf16 '\xff\xfeF\x00R\x00O\x00M\x00 \x00x\x00\n\x00'

# Model loading: byte 0 picks a test model, then 10-byte edits (op, index, 8-byte value):
# op 0/1/2 sets a metadata key to a small int / any int / a float, 3/4/5 a tensor dimension,
# 6 a tensor type, 7 drops a tensor. The seeds: untouched models, an expert count, an expert
# tensor's n_expert, a router type.
for i in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do seed model_load "model$i" "\\x$(printf %02x "$i")"; done
seed model_load used '\x00\x00\x10\x09\x00\x00\x00\x00\x00\x00\x00'
seed model_load experts '\x01\x05\x20\x07\x00\x00\x00\x00\x00\x00\x00'
seed model_load type '\x02\x06\x0c\x27\x00\x00\x00\x00\x00\x00\x00'

export OLLA_TESTDATA="$TESTDATA"
sixth=$(( (SECONDS_TO_RUN + 5) / 6 ))
run gguf_reader $(( SECONDS_TO_RUN * 2 / 3 )) 65536
run format "$sixth" 4096
run template "$sixth" 8192
run tool_call "$sixth" 4096
run modelfile "$sixth" 4096
run thinking $(( (SECONDS_TO_RUN + 11) / 12 )) 4096
run model_load "$sixth" 512
