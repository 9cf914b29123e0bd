#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang under ASan + UBSan) in build/fuzz and runs each for
# SECONDS (default 10) over its seeds: the fixtures of ../shared (read in place, never copied
# into the repo), fuzz/seeds/, the project's probe files, and what make_fuzz_seeds generates
# (compressed fixtures, protobuf pings, a client database). Every run works on a temporary copy
# of its seeds. Exits non-zero when any target finds a crash, leak, timeout or OOM, printing the
# reproducer's path (kept under build/fuzz/artifacts/<target>/).
#
#   scripts/fuzz.sh [SECONDS]     TELEMETRY_SHARED_DIR overrides ../shared
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-10}"
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 2; }
shared="$(cd "${TELEMETRY_SHARED_DIR:-$PWD/../shared}" && pwd)"
build=build/fuzz
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
started=$(date +%s)

echo "== Building the fuzz targets ($build)"
# -O1 -g with assertions on: libFuzzer's usual trade between speed and reports.
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" \
  -DTELEMETRY_BUILD_FUZZ=ON -DTELEMETRY_BUILD_TESTS=OFF -DTELEMETRY_BUILD_BENCH=OFF \
  -DTELEMETRY_BUILD_INSPECT=OFF -DTELEMETRY_INSTALL=OFF -DTELEMETRY_WARNINGS_AS_ERRORS=ON \
  -DTELEMETRY_SHARED_DIR="$shared" >/dev/null
cmake --build "$build" -j2 --target telemetry_fuzzers
built=$(date +%s)

work="$(mktemp -d "${TMPDIR:-/tmp}/telemetry-fuzz-XXXXXX")"
trap 'rm -rf "$work"' EXIT
"$build/fuzz/make_fuzz_seeds" "$work/generated" "$shared"

# seeds TARGET: the files its corpus starts from.
seeds() {
  case "$1" in
    decode_gzip | decode_zstd | protobuf_ping | client_db) echo "$work/generated/$1"/* ;;
    glean_ping) echo "$shared"/fixtures/glean/validation/*.json fuzz/seeds/glean_ping/* ;;
    firefox_ping) echo "$shared"/fixtures/firefox/pings/*.json ;;
    import_csv | import_ndjson) echo fuzz/seeds/"$1"/* ;;
    scalars_yaml) echo Scalars.yaml tests/data/TestScalars.yaml "$shared"/fixtures/firefox/Scalars.yaml ;;
    events_yaml) echo Events.yaml tests/data/TestEvents.yaml "$shared"/fixtures/firefox/Events.yaml ;;
  esac
}

targets=(decode_gzip decode_zstd protobuf_ping glean_ping firefox_ping import_csv import_ndjson
         scalars_yaml events_yaml client_db)
failed=()
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TELEMETRY_SHARED_DIR="$shared"
for target in "${targets[@]}"; do
  corpus="$work/corpus/$target"
  artifacts="$PWD/$build/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  n=0
  for seed in $(seeds "$target"); do  # Numbered: seeds of different folders share names.
    cp "$seed" "$corpus/$((n++))-$(basename "$seed")"
  done
  log="$work/$target.log"
  if "$build/fuzz/${target}_fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$artifacts/" -print_final_stats=1 "$corpus" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    echo "fuzz: $target: ok, $runs runs in ${seconds}s from $(ls "$corpus" | wc -l) corpus files"
  else
    failed+=("$target")
    echo "fuzz: $target: FAILED" >&2
    tail -n 40 "$log" >&2
    reproducer=$(grep -o 'Test unit written to .*' "$log" | sed 's/^Test unit written to //' || true)
    echo "fuzz: $target: reproducer: ${reproducer:-(none written; see the log above)}" >&2
    echo "fuzz: rerun it with: $build/fuzz/${target}_fuzzer ${reproducer:-FILE}" >&2
  fi
done

finished=$(date +%s)
echo "fuzz: build $((built - started))s, fuzzing $((finished - built))s"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran ${seconds}s each without a finding"
