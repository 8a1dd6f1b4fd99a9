#!/usr/bin/env bash
# Checks every #include of olla's own headers (and of the third-party libraries that are confined
# to one room), and every library a room links, against the layer table of docs/ARCHITECTURE.md. Edges only point down: a folder may
# include its own headers and those of the folders listed for it, nothing else. Exits 1 naming
# each include that breaks the table; run by .ci/run through scripts/test.sh.
#
# Tests beside the code (*_test.cc, test helpers, testing/) may also include any room on their
# layer or below (a grammar test loads a real vocabulary through gguf and tokenizer), and the
# shared test support (tests/support, included as "support/...").
set -euo pipefail
cd "$(dirname "$0")/.."

# The table (keep it identical to docs/ARCHITECTURE.md, "The layers").
declare -A ALLOW=(
  [base]=""
  [tensor]="base"
  [gguf]="tensor base"
  [kernels]="tensor base"
  [tokenizer]="gguf tensor base"
  [sampling]="base"
  [grammar]="base"
  [chat]="base"
  [modelfile]="base"
  [store]="base"
  [api]="base"
  [engine]="kernels gguf tensor base"
  [registry]="store base"
  [create]="engine gguf tensor chat modelfile store api base"
  [runtime]="engine tokenizer sampling grammar chat gguf tensor store base"
  [server]="runtime create api registry modelfile store base"
  [tools]="create runtime engine kernels tokenizer grammar gguf tensor modelfile store api base"
  [cli]="tools server api registry modelfile store base"
  [apps]="cli base"
)

# The layer of each room (docs/ARCHITECTURE.md): what tests may reach.
declare -A LAYER=(
  [base]=0 [tensor]=1 [gguf]=2 [kernels]=2 [sampling]=2 [grammar]=2 [chat]=2 [modelfile]=2 [store]=2
  [api]=2 [tokenizer]=3 [engine]=3 [registry]=3 [create]=4 [runtime]=4 [server]=5 [tools]=5
  [cli]=6 [apps]=7
)

# Third-party headers allowed only in some rooms (DESIGN: libraries stay in their own folders).
declare -A THIRD_PARTY=(
  ["hwy/"]="kernels"
  ["httplib.h"]="server api registry"
  ["curl/"]="registry"
  ["CLI/"]="cli tools"
  ["pcre2"]="tokenizer"
  ["utf8proc"]="tokenizer base"
  ["openssl/"]="base registry"
)

is_in() {  # is_in WORD LIST...
  local w=$1
  shift
  for x in "$@"; do [[ $x == "$w" ]] && return 0; done
  return 1
}

failures=0
report() {
  echo "check_layers: $1" >&2
  failures=$((failures + 1))
}

room_of() {  # room_of PATH: the room a file belongs to
  local path=$1
  if [[ $path == apps/* ]]; then echo apps; else path=${path#src/}; echo "${path%%/*}"; fi
}
is_test_file() {  # tests, test helpers (test_util.h, quant_test_util.h) and testing/ folders
  [[ $(basename "$1") == *test* || $1 == */testing/* ]]
}

sources=$(find src apps -type f \( -name '*.h' -o -name '*.cc' \) | sort)

# Our own headers: one grep over every file, "file:line:room".
while IFS=: read -r file line_no target; do
  room=$(room_of "$file")
  [[ $target == "$room" ]] && continue
  [[ -n ${ALLOW[$room]+x} ]] || continue  # reported below as a folder without a row
  if [[ -z ${ALLOW[$target]+x} ]]; then
    # Not one of our rooms: test support, or a third-party library written with quotes.
    [[ $target == support ]] && is_test_file "$file" && continue
    [[ $target == hwy && $room == kernels ]] && continue
    report "$file:$line_no includes \"$target/...\", which is not a room of src/"
    continue
  fi
  is_in "$target" ${ALLOW[$room]} && continue
  is_test_file "$file" && ((LAYER[$target] <= LAYER[$room])) && continue
  report "$file:$line_no: $room may not include $target/ (allowed: ${ALLOW[$room]:-nothing})"
done < <(grep -noE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"[A-Za-z0-9_]+/' $sources |
           sed -E 's/^([^:]+):([0-9]+):.*"([A-Za-z0-9_]+)\/$/\1:\2:\3/')

# Third-party headers, outside tests.
for lib in "${!THIRD_PARTY[@]}"; do
  while IFS=: read -r file line_no _; do
    is_test_file "$file" && continue
    room=$(room_of "$file")
    is_in "$room" ${THIRD_PARTY[$lib]} ||
      report "$file:$line_no includes <$lib...>, which belongs to: ${THIRD_PARTY[$lib]}"
  done < <(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]+[<\"]$lib" $sources || true)
done

# The libraries each room links (olla_library DEPS in its CMakeLists.txt) follow the same table.
for cmake in src/*/CMakeLists.txt; do
  room=$(basename "$(dirname "$cmake")")
  [[ -n ${ALLOW[$room]+x} ]] || continue
  for dep in $(awk '/olla_library\(/ { inside = 1 } inside { print } inside && /\)/ { exit }' "$cmake" |
               grep -o 'olla::[a-z_]*' | sed 's/olla:://' | sort -u); do
    [[ $dep == "$room" ]] && continue
    is_in "$dep" ${ALLOW[$room]} || report "$cmake: $room links olla::$dep (allowed: ${ALLOW[$room]:-nothing})"
  done
done

# Every folder of src/ must have a row, so that a new room is placed in the table on purpose.
for dir in src/*/; do
  room=$(basename "$dir")
  [[ -n ${ALLOW[$room]+x} && -n ${LAYER[$room]+x} ]] || report "src/$room has no row in the layer table"
done
# And every allowed edge must point down.
for room in "${!ALLOW[@]}"; do
  for dep in ${ALLOW[$room]}; do
    ((LAYER[$dep] < LAYER[$room])) || report "the table lets $room (L${LAYER[$room]}) include $dep (L${LAYER[$dep]})"
  done
done

if ((failures)); then
  echo "check_layers: $failures include(s) or link(s) break the layer table (docs/ARCHITECTURE.md)" >&2
  exit 1
fi
echo "check_layers: every include and link follows the layer table"
