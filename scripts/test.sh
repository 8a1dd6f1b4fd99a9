#!/usr/bin/env bash
# Builds olla with the `ci` preset (-Werror) and runs every test with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
# Every #include against the layer table of docs/ARCHITECTURE.md (fails fast, before building).
bash scripts/check_layers.sh
# The npm client libraries that tests/integration/clients_test.cc runs, as pinned by
# tests/clients/package-lock.json (installed again when the lock file changes).
if [[ ! -f tests/clients/node_modules/.package-lock.json ||
      tests/clients/package-lock.json -nt tests/clients/node_modules/.package-lock.json ]]; then
  npm ci --prefix tests/clients --no-audit --no-fund
fi
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$(nproc)"
ctest --preset ci -j "$(nproc)" "$@"
