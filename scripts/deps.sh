#!/usr/bin/env bash
# Installs every Debian package the project needs to build, test and run. Idempotent: only
# what is missing is installed, and `apt-get update` runs only when something is missing.
# Run as root (or with sudo available) on Debian 12.
set -euo pipefail

PACKAGES=(
  # Toolchain
  g++ cmake ninja-build ccache pkg-config python3
  # Fuzzing (scripts/fuzz.sh): clang 14 with libFuzzer and the sanitizer runtimes
  clang libclang-rt-14-dev
  # Probe files and command lines
  libyaml-cpp-dev libcli11-dev nlohmann-json3-dev
  # Pings: wire format, compression, ids and hashing, storage, upload, collector HTTP
  libprotobuf-dev protobuf-compiler libzstd-dev zlib1g-dev libssl-dev libsqlite3-dev
  libcurl4-openssl-dev libcpp-httplib-dev libvalijson-dev
  # Collector HTTP server: Boost.Beast on Boost.Asio (header-only)
  libboost-dev
  # Tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # The KPI dashboard: its chart library (built into the binary), and the headless browser its
  # tests and render benchmark drive over the DevTools protocol
  libjs-chart.js chromium
  # bench/kpi_vs_clickhouse.sh: the side-by-side KPI benchmark (not run by CI)
  clickhouse-server clickhouse-client sqlite3 bc
)

missing=()
for package in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "deps: all ${#PACKAGES[@]} packages are installed"
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "deps: missing ${missing[*]}; run this script as root to install them" >&2
    exit 1
  fi
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
