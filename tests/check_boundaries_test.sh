#!/usr/bin/env bash
# scripts/check_boundaries.py must pass on this tree and fail, naming file and line, on a tree
# where one part includes another's src/, names it in CMake, or the collector uses the recorder.
set -euo pipefail
script="$1"
tree="$2"
python3 "$script" "$tree"

planted="$(mktemp -d)"
trap 'rm -rf "$planted"' EXIT
mkdir -p "$planted"/{telemetry/src/storage,telemetry/include/telemetry,pings/src,collector/kpi}
touch "$planted/telemetry/src/storage/persistence.h" "$planted/telemetry/include/telemetry/telemetry.h"
printf '#include "storage/persistence.h"\n' > "$planted/pings/src/ping_service.cc"
printf 'target_include_directories(x PRIVATE ../telemetry/src)\n' > "$planted/pings/CMakeLists.txt"
printf '#include <vector>\n#include "telemetry/telemetry.h"\n' > "$planted/collector/kpi/job.cc"
if output="$(python3 "$script" "$planted" 2>&1)"; then
  echo "check_boundaries passed a tree with planted violations" >&2
  exit 1
fi
for expected in "pings/src/ping_service.cc:1:" "pings/CMakeLists.txt:1:" "collector/kpi/job.cc:2:"; do
  grep -qF "$expected" <<<"$output" || { echo "not reported: $expected"; echo "$output"; exit 1; }
done
echo "check_boundaries: passes this tree, catches every planted violation"
