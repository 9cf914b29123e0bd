#!/usr/bin/env bash
# Installs dependencies, checks the part boundaries, builds, and runs every test through ctest,
# printing the output of any test that fails; after the default preset, checks that the
# installed package embeds from outside the tree (scripts/check_install.sh). With CI set, also
# builds and runs the whole suite under the asan (AddressSanitizer + UBSan) and tsan
# (ThreadSanitizer) presets, then runs every fuzz target briefly (scripts/fuzz.sh).
#
#   scripts/test.sh            default preset
#   CI=1 scripts/test.sh       default, asan and tsan
#   PRESETS="asan" scripts/test.sh   just those presets
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
python3 scripts/check_boundaries.py
# ccache keyed on paths relative to the checkout, so another clone reuses what one built.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true

if [[ -z "${PRESETS:-}" ]]; then
  PRESETS="default"
  [[ -n "${CI:-}" ]] && PRESETS="default asan tsan"
fi

for preset in $PRESETS; do
  echo "=== ${preset}: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  echo "=== ${preset}: test"
  ctest --preset "$preset" --output-on-failure --timeout 600
  if [[ "$preset" == "default" ]]; then
    echo "=== install and embed from outside the tree"
    scripts/check_install.sh "build/default/collector/telemetry-collector"
  fi
done

# Under CI, every libFuzzer target for a short bounded time (docs/TESTING.md, "Fuzzing").
if [[ -n "${CI:-}" ]]; then
  echo "=== fuzzing"
  scripts/fuzz.sh 10
fi
