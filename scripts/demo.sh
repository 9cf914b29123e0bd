#!/usr/bin/env bash
# The whole system, end to end: installs dependencies, builds, starts the collector on an
# embedded SQLite database with a freshly generated development HMAC key, runs the fleet
# simulator (devices and an account server on the real library, sending pings over HTTP),
# runs the daily KPI job, prints the KPI table and where the database is, and shuts the
# collector down cleanly. Exits non-zero if any step fails. It ends by printing the one command
# that serves the KPI dashboard over that database; with DASHBOARD=1 it runs that command itself
# and serves the dashboard until Ctrl-C.
#
#   USERS=100 DAYS=21 SEED=1 scripts/demo.sh   (the defaults)
#   DASHBOARD=1 scripts/demo.sh                (then open http://127.0.0.1:8080/dashboard/)
set -euo pipefail
cd "$(dirname "$0")/.."

USERS="${USERS:-100}"
DAYS="${DAYS:-21}"
SEED="${SEED:-1}"

scripts/deps.sh
echo "== Building"
cmake --preset default >/dev/null
cmake --build --preset default --target telemetry-collector telemetry-simulate telemetry-inspect

bin=build/default
collector="$bin/collector/telemetry-collector"
work="$(mktemp -d "${TMPDIR:-/tmp}/telemetry-demo-XXXXXX")"
db="$work/collector.db"
key="$work/hmac.key"
log="$work/collector.log"

echo
echo "== Checking the project's probe files"
"$bin/tools/inspect/telemetry-inspect" lint Scalars.yaml Events.yaml

echo
echo "== Starting the collector ($db)"
umask 077
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$key"  # A development key, this run only.
"$collector" serve --db "$db" --listen 127.0.0.1:0 --hmac-key-file "$key" > "$log" 2>&1 &
pid=$!
stop_collector() {
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    wait "$pid" || true
  fi
}
trap stop_collector EXIT
port=""
for _ in $(seq 1 200); do
  port="$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
  [[ -n "$port" ]] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "the collector did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done
[[ -n "$port" ]] || { echo "the collector did not start listening" >&2; exit 1; }
echo "listening on http://127.0.0.1:$port"

echo
echo "== Simulating $USERS accounts over $DAYS days"
"$bin/tools/simulate/telemetry-simulate" --users "$USERS" --days "$DAYS" --seed "$SEED" \
  --collector "http://127.0.0.1:$port" --data-dir "$work/fleet" \
  --expected-kpis "$work/expected-kpis.csv"

echo
echo "== Running the daily KPI job"
"$collector" aggregate --db "$db"

from="$(sed -n 2p "$work/expected-kpis.csv" | cut -d, -f1)"
to="$(tail -n 1 "$work/expected-kpis.csv" | cut -d, -f1)"
echo
echo "== KPIs, $from to $to"
"$collector" kpis --db "$db" --from "$from" --to "$to" > "$work/kpis.csv"
if command -v column >/dev/null 2>&1; then
  column -s, -t < "$work/kpis.csv"
else
  cat "$work/kpis.csv"
fi
if cmp -s "$work/kpis.csv" "$work/expected-kpis.csv"; then
  echo "(equal to the KPIs computed directly from the simulator's own record)"
else
  echo "the collector's KPIs differ from the simulator's own record:" >&2
  diff "$work/expected-kpis.csv" "$work/kpis.csv" >&2 || true
  exit 1
fi

echo
"$collector" stats --db "$db" > "$work/stats.txt"
head -n 12 "$work/stats.txt"
echo
echo "== Shutting down"
stop_collector
trap - EXIT
echo "collector stopped; database: $db"
echo "explore: $collector kpis --db $db --from $from --to $to --segment userAgentOS"
dashboard=("$collector" dashboard --db "$db" --listen "${DASHBOARD_LISTEN:-127.0.0.1:8080}")
echo
if [[ -n "${DASHBOARD:-}" ]]; then
  echo "== Serving the KPI dashboard until Ctrl-C: http://${DASHBOARD_LISTEN:-127.0.0.1:8080}/dashboard/"
  exec "${dashboard[@]}"
fi
echo "dashboard: ${dashboard[*]}"
