#!/usr/bin/env bash
# Side by side: the collector's `aggregate` against ClickHouse (Debian's clickhouse-server 18.16,
# started here on 127.0.0.1 in a temporary directory, stopped by its pid) on the same synthetic
# data: ACCOUNTS accounts with 1 to 4 devices, 35 days plus a 30-day lead-in (bench/kpi_gen.py).
# Times our import and ClickHouse's load, our 35-day backfill (aggregate --from/--to) and
# ClickHouse computing DAU/WAU/MAU/engagement/multi-device KPIs with day-array SQL, a raw SQLite
# scan of the same rows, and our incremental run for one new day (aggregate --through, from the
# state stored the day before); checks both give the same
# numbers. Not run by CI (minutes). Usage: bench/kpi_vs_clickhouse.sh [ACCOUNTS...] (30000 200000)
# with BUILD=build/release (or any preset's build directory) holding telemetry-collector.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
collector=${BUILD:-$here/build/default}/collector/telemetry-collector
[[ -x $collector ]] || { echo "no $collector: build telemetry-collector first" >&2; exit 1; }
command -v /usr/sbin/clickhouse-server >/dev/null || { echo "run scripts/deps.sh" >&2; exit 1; }
work=$(mktemp -d /tmp/kpi-vs-clickhouse-XXXXXX)
ch_pid=""
cleanup() { [[ -n $ch_pid ]] && kill "$ch_pid" 2>/dev/null && wait "$ch_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | xargs printf '%.2f'; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_clickhouse() {
  local tcp http; tcp=$(free_port); http=$(free_port)
  mkdir -p "$work/ch"
  cat >"$work/ch/config.xml" <<XML
<yandex>
  <logger><level>warning</level><log>$work/ch/server.log</log><errorlog>$work/ch/server.err.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host><tcp_port>$tcp</tcp_port><http_port>$http</http_port>
  <path>$work/ch/data/</path><tmp_path>$work/ch/tmp/</tmp_path>
  <user_files_path>$work/ch/user_files/</user_files_path>
  <format_schema_path>$work/ch/format_schemas/</format_schema_path>
  <users_config>$work/ch/users.xml</users_config><default_profile>default</default_profile>
  <default_database>default</default_database><mark_cache_size>536870912</mark_cache_size>
</yandex>
XML
  cat >"$work/ch/users.xml" <<XML
<yandex>
  <profiles><default><max_memory_usage>16000000000</max_memory_usage>
    <max_bytes_before_external_group_by>6000000000</max_bytes_before_external_group_by></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
XML
  /usr/sbin/clickhouse-server --config-file="$work/ch/config.xml" >"$work/ch/stdout" 2>&1 &
  ch_pid=$!
  CH=(clickhouse-client --host 127.0.0.1 --port "$tcp")
  for _ in $(seq 1 100); do "${CH[@]}" -q 'SELECT 1' >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "clickhouse-server did not start; see $work/ch" >&2; cat "$work/ch/"*.log >&2; exit 1
}

# The KPIs of days [first, last] by SQL: per user its active days (an array), per user and day
# whether two of its devices were active in the 6-day window, then the windows by arrayExists.
ch_kpis() {
  local first=$1 last=$2 n=$(($2 - $1 + 1))
  local days="arrayMap(i -> toUInt32($first + i), range($n))"
  "${CH[@]}" -q "
SELECT d, dau, wau, mau, md_dau, md_mau FROM (
  SELECT d, countIf(has(active, d)) AS dau,
         countIf(arrayExists(x -> x <= d AND x + 7 > d, active)) AS wau, count() AS mau
  FROM (SELECT uid, groupUniqArray(day) AS active FROM events
        WHERE day >= $first - 27 AND day <= $last GROUP BY uid)
  ARRAY JOIN arrayFilter(d -> arrayExists(x -> x <= d AND x + 28 > d, active), $days) AS d
  GROUP BY d
) ANY LEFT JOIN (
  SELECT d, countIf(has(md, d)) AS md_dau, count() AS md_mau
  FROM (SELECT uid, groupUniqArray(d) AS md FROM (
          SELECT uid, toUInt32(day + i) AS d, uniqExact(device) AS devices, min(i) AS newest
          FROM (SELECT DISTINCT uid, device, day FROM events
                WHERE day >= $first - 32 AND day <= $last AND device != '')
          ARRAY JOIN range(6) AS i
          GROUP BY uid, d HAVING devices >= 2 AND newest = 0)
        GROUP BY uid)
  ARRAY JOIN arrayFilter(d -> arrayExists(x -> x <= d AND x + 28 > d, md), $days) AS d
  GROUP BY d
) USING d ORDER BY d FORMAT TabSeparated"
}

# Engagement ratios from the per-day DAU (7-day mean over MAU), as KPI.md defines them.
with_ratios() {
  python3 -c '
import sys
rows = [list(map(int, l.split("\t"))) for l in sys.stdin if l.strip()]
dau = {r[0]: r[1] for r in rows}; md = {r[0]: r[4] for r in rows}
for d, a, w, m, mda, mdm in rows:
    er = "%.6g" % (100 * sum(dau.get(x, 0) for x in range(d - 6, d + 1)) / 7 / m) if m else ""
    mer = "%.6g" % (100 * sum(md.get(x, 0) for x in range(d - 6, d + 1)) / 7 / mdm) if mdm else ""
    if d >= int(sys.argv[1]): print(d, a, w, m, er, mda, mdm, mer)' "$@"
}

run_one() {
  local accounts=$1 today; today=$(( $(date +%s) / 86400 ))
  local last=$((today - 1)) to=$((today - 2)) from=$((today - 36)) dir="$work/$accounts"
  mkdir -p "$dir"
  echo "== $accounts accounts, 35 days + 30-day lead-in"
  python3 "$here/bench/kpi_gen.py" "$accounts" 35 30 "$last" "$dir"
  local rows; rows=$(( $(wc -l <"$dir/backfill.csv") - 1 ))
  local t0 t1; t0=$(now)
  "$collector" import --db "$dir/c.db" --format fxa-csv --insecure-dev-key "$dir/backfill.csv" \
    2>/dev/null >/dev/null
  t1=$(now); local import_s; import_s=$(secs "$t0" "$t1")
  "${CH[@]}" -q "DROP TABLE IF EXISTS events"
  "${CH[@]}" -q "CREATE TABLE events (day UInt32, ts UInt64, type String, uid String,
    device String) ENGINE = MergeTree PARTITION BY day ORDER BY (day, uid)"
  t0=$(now)
  "${CH[@]}" -q "INSERT INTO events FORMAT TabSeparated" <"$dir/backfill.tsv"
  t1=$(now); local load_s; load_s=$(secs "$t0" "$t1")
  echo "import: ours $import_s s ($(echo "$rows / $import_s" | bc) rows/s); ClickHouse load $load_s s"
  local f t; f=$(date -u -d "@$((from * 86400))" +%F); t=$(date -u -d "@$((to * 86400))" +%F)
  "$collector" aggregate --db "$dir/c.db" --from "$f" --to "$t" >/dev/null 2>&1  # Warm cache.
  t0=$(now); "$collector" aggregate --db "$dir/c.db" --from "$f" --to "$t" >/dev/null 2>&1
  t1=$(now); local ours; ours=$(secs "$t0" "$t1")
  # From 6 days earlier: the engagement ratios' 7-day means need them.
  ch_kpis "$((from - 6))" "$to" >/dev/null
  t0=$(now); ch_kpis "$((from - 6))" "$to" >"$dir/ch.tsv"; t1=$(now)
  local theirs; theirs=$(secs "$t0" "$t1")
  local lo=$(( (from - 33) * 86400000 )) hi=$(( (to + 1) * 86400000 ))
  t0=$(now)
  sqlite3 "$dir/c.db" "SELECT count(*), sum(length(uid)), sum(length(deviceId)), sum(length(type)),
    total(timestamp) FROM activity_events WHERE timestamp >= $lo AND timestamp < $hi" >/dev/null
  t1=$(now); local scan; scan=$(secs "$t0" "$t1")
  "$collector" kpis --db "$dir/c.db" --from "$f" --to "$t" | tail -n +2 | python3 -c '
import sys, datetime
for l in sys.stdin:
    c = l.strip().split(",")
    d = (datetime.date.fromisoformat(c[0]) - datetime.date(1970, 1, 1)).days
    g = lambda v: "%.6g" % float(v) if v else ""
    print(d, c[1], c[2], c[3], g(c[4]), c[5], c[6], g(c[7]))' >"$dir/ours.txt"
  with_ratios "$from" <"$dir/ch.tsv" >"$dir/theirs.txt"
  if diff -q "$dir/ours.txt" "$dir/theirs.txt" >/dev/null; then
    echo "same KPIs: yes ($(wc -l <"$dir/ours.txt") days: dau wau mau engagement md_dau md_mau md_engagement)"
  else
    echo "same KPIs: NO"; diff "$dir/ours.txt" "$dir/theirs.txt" | head; exit 1
  fi
  echo "backfill 35 days: ours $ours s, ClickHouse $theirs s, ratio $(echo "$theirs / $ours" | bc -l | xargs printf '%.2f')x"
  echo "raw scan of the same rows (sqlite3): $scan s; ours / scan $(echo "$ours / $scan" | bc -l | xargs printf '%.2f')"
  # The daily run: the state stored as of the day before (a plain run through it), then the new
  # day's rows, then a plain run through the new day (one day computed from the state).
  local l; l=$(date -u -d "@$((last * 86400))" +%F)
  "$collector" aggregate --db "$dir/c.db" --through "$t" >/dev/null 2>&1
  "$collector" import --db "$dir/c.db" --format fxa-csv --insecure-dev-key "$dir/last.csv" \
    >/dev/null 2>&1
  t0=$(now); "$collector" aggregate --db "$dir/c.db" --through "$l" >"$dir/inc.txt" 2>/dev/null
  t1=$(now)
  grep -q "^aggregate: 1 days computed" "$dir/inc.txt" || { cat "$dir/inc.txt"; exit 1; }
  echo "incremental: one new day for $accounts accounts $(secs "$t0" "$t1") s"
  "${CH[@]}" -q "DROP TABLE events"
  rm -rf "$dir"
}

start_clickhouse
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
[[ $# -gt 0 ]] || set -- 30000 200000
for accounts in "$@"; do run_one "$accounts"; done
