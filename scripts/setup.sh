#!/usr/bin/env bash
# Installs the Debian packages fastiofs needs, only when something is missing.
# Safe to run any number of times; needs root (or sudo) for apt-get.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates curl python3
  libfuse3-dev fuse3
  libcurl4-openssl-dev nlohmann-json3-dev liblmdb-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libssl-dev libcli11-dev libspdlog-dev libcpp-httplib-dev libsqlite3-dev
  poppler-utils
  attr procps rsync bc  # getfattr (demo), pgrep and ps (benchmarks), rsync (tools test), bc (benchmarks)
  fio                   # the I/O benchmarks PRODUCT.md §1 names it for
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
