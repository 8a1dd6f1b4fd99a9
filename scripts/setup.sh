#!/usr/bin/env bash
# Installs every build and test dependency of olla from Debian packages.
# Idempotent and non-interactive; nothing is downloaded at build or run time.
set -euo pipefail

PACKAGES=(
  build-essential g++ clang cmake ninja-build ccache pkg-config git
  libhwy-dev nlohmann-json3-dev libcpp-httplib-dev libcurl4-openssl-dev libssl-dev
  libpcre2-dev libutf8proc-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  libclang-rt-14-dev docker-registry
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# node and npm run the client-library tests (tests/clients). Debian's packages are `nodejs` (18) and
# `npm`; a node from elsewhere that brings its own npm (NodeSource) is used as it is.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]})); then
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
echo "setup: all ${#PACKAGES[@]} packages present, and node $(node --version)"
