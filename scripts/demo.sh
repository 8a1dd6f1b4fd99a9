#!/usr/bin/env bash
# Builds olla (release preset), makes sure a server is running on OLLAMA_HOST (default
# 127.0.0.1:11434; one is started in the background if none answers, and stopped at the end),
# creates the bundled `stories260k` model from models/stories260K.gguf if the store lacks it,
# and runs it on a prompt. Entirely offline.
#
#   scripts/demo.sh                      # olla run stories260k "Once upon a time"
#   scripts/demo.sh "The little dog"     # another prompt
#   OLLA_DEMO_NO_BUILD=1 scripts/demo.sh # use the existing build/release/apps/olla
#   OLLA_BINARY=path/to/olla scripts/demo.sh  # use that binary, build nothing
set -euo pipefail
cd "$(dirname "$0")/.."

olla=${OLLA_BINARY:-build/release/apps/olla}
if [[ -z "${OLLA_BINARY:-}" ]] && [[ -z "${OLLA_DEMO_NO_BUILD:-}" || ! -x "$olla" ]]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target olla
fi

started=""
log=""
cleanup() {
  if [[ -n "$started" ]]; then
    kill "$started" 2>/dev/null || true
    wait "$started" 2>/dev/null || true
  fi
  if [[ -n "$log" ]]; then rm -f "$log"; fi
}
trap cleanup EXIT

if ! "$olla" list >/dev/null 2>&1; then
  log=$(mktemp)
  echo "starting olla serve on ${OLLAMA_HOST:-127.0.0.1:11434} (log: $log)" >&2
  "$olla" serve >"$log" 2>&1 &
  started=$!
  for _ in $(seq 1 150); do
    if "$olla" list >/dev/null 2>&1; then break; fi
    if ! kill -0 "$started" 2>/dev/null; then
      cat "$log" >&2
      echo "olla serve exited" >&2
      started=""
      exit 1
    fi
    sleep 0.2
  done
  "$olla" list >/dev/null || { cat "$log" >&2; exit 1; }
fi

if ! "$olla" show stories260k >/dev/null 2>&1; then
  "$olla" create stories260k -f models/Modelfile.stories260k
fi

prompt="${*:-Once upon a time}"
"$olla" run stories260k "$prompt"
