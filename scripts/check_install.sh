#!/usr/bin/env bash
# Embedding from outside the tree, as a new user would do it:
#   1. a client-only build with CMake's default generator (Unix Makefiles) and a plain Release
#      build type, installed into a temporary prefix;
#   2. examples/custom_ping (seed 003's custom ping) configured against that prefix alone and
#      run against a collector started here on 127.0.0.1; its ping is then checked with the
#      installed telemetry-inspect and the collector's stats;
#   3. a one-file program built with `c++ ... $(pkg-config --cflags --libs telemetry)`.
#
#   scripts/check_install.sh PATH/TO/telemetry-collector
#
# Exits non-zero, saying which step failed, on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."
collector="$(realpath "${1:?usage: scripts/check_install.sh PATH/TO/telemetry-collector}")"
work="$(mktemp -d "${TMPDIR:-/tmp}/telemetry-install-XXXXXX")"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    wait "$pid" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "check_install: $*" >&2
  exit 1
}
expect() {  # expect FILE TEXT: FILE holds TEXT
  grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "expected '$2' in $(basename "$1")"; }
}

echo "== client-only build (Unix Makefiles, Release) and install into a temporary prefix"
cmake -S . -B "$work/build" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release \
  -DTELEMETRY_BUILD_COLLECTOR=OFF -DTELEMETRY_BUILD_TESTS=OFF -DTELEMETRY_BUILD_BENCH=OFF \
  > "$work/configure.log" || { cat "$work/configure.log" >&2; fail "configure failed"; }
grep -qE '^(GTest_DIR|benchmark_DIR|VALIJSON_INCLUDE_DIR|HTTPLIB_[A-Z_]+):' "$work/build/CMakeCache.txt" &&
  fail "the client-only build looked for a collector, test or benchmark dependency"
cmake --build "$work/build" -j2 > "$work/build.log" 2>&1 ||
  { tail -40 "$work/build.log" >&2; fail "the client-only build failed"; }
cmake --install "$work/build" --prefix "$work/prefix" > "$work/install.log"
prefix="$work/prefix"
for f in bin/telemetry-codegen bin/telemetry-inspect include/telemetry/telemetry.h \
         include/pings/ping_service.h include/telemetry/wire/ping.pb.h; do
  [[ -e "$prefix/$f" ]] || fail "the install lacks $f"
done
rm -rf "$work/build"  # From here on, nothing may come from the build tree.

echo "== examples/custom_ping against the installed package only"
cmake -S examples/custom_ping -B "$work/example" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Release > "$work/example-configure.log" ||
  { cat "$work/example-configure.log" >&2; fail "the example does not configure"; }
cmake --build "$work/example" -j2 > "$work/example-build.log" 2>&1 ||
  { tail -40 "$work/example-build.log" >&2; fail "the example does not build"; }

echo "== a collector on 127.0.0.1"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/hmac.key"
"$collector" serve --db "$work/collector.db" --listen 127.0.0.1:0 \
  --hmac-key-file "$work/hmac.key" > "$work/collector.log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 100); do
  port="$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/collector.log" | grep -o '[0-9]*$' || true)"
  [[ -n "$port" ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/collector.log" >&2; fail "the collector did not start"; }
  sleep 0.1
done
[[ -n "$port" ]] || fail "the collector did not listen"

echo "== running the example"
"$work/example/custom_ping" --collector "http://127.0.0.1:$port" --data-dir "$work/app" \
  --tabs 3 | tee "$work/run.txt"
expect "$work/run.txt" "main store: browser.engagement.tab_open_event_count = 3"
id="$(grep -o 'custom ping [0-9a-f-]* delivered' "$work/run.txt" | cut -d' ' -f3)"
[[ -n "$id" ]] || fail "the custom ping was not delivered"

echo "== the ping as telemetry-inspect and the collector see it"
inspect="$prefix/bin/telemetry-inspect"
"$inspect" --data-dir "$work/app" pings archived > "$work/archived.txt"
expect "$work/archived.txt" "$id"
"$inspect" --data-dir "$work/app" ping show "$id" > "$work/ping.json"
expect "$work/ping.json" '"custom": "This is custom data"'
expect "$work/ping.json" '"browser.engagement.tick_times_rand"'
expect "$work/ping.json" '"browser.engagement.tab_open_event_count"'
expect "$work/ping.json" '"store": "custom-store"'
expect "$work/ping.json" '"environment"'
grep -q '"client_id"' "$work/ping.json" && fail "the custom ping carries the client id"
"$inspect" --data-dir "$work/app" --json scalars --store main > "$work/main.json"
expect "$work/main.json" "browser.engagement.tab_open_event_count"
grep -q 'tick_times_rand' "$work/main.json" && fail "tick_times_rand leaked into the main store"
"$collector" stats --db "$work/collector.db" > "$work/stats.txt"
expect "$work/stats.txt" "custom"
head -n 8 "$work/ping.json" | sed 's/^/  /'

echo "== a one-file program with pkg-config"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
# shellcheck disable=SC2046  # pkg-config's words are meant to split.
c++ examples/custom_ping/pkgconfig_app.cc $(pkg-config --cflags --libs telemetry) \
  -o "$work/one-file" || fail "the pkg-config build failed"
"$work/one-file" > "$work/one-file.txt" || fail "the one-file program failed"
expect "$work/one-file.txt" "app.usage.launches = 2"
echo "check_install: the installed package embeds from outside the tree"
