#!/usr/bin/env bash
# The project's main job, as far as it goes today: installs dependencies, builds, checks the
# project's probe files, and prints the probes compiled into the recorder.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target telemetry-inspect

inspect=build/default/tools/inspect/telemetry-inspect
echo
echo "== Checking Scalars.yaml and Events.yaml"
"$inspect" lint Scalars.yaml Events.yaml
echo
echo "== The probes compiled into this build"
"$inspect" definitions
