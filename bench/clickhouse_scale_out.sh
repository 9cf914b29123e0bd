#!/usr/bin/env bash
# The collector scaled out (docs/SCALE-OUT.md), measured beside the embedded SQLite store in the
# same run, on this one machine: a 2-shard ClickHouse cluster (Debian's clickhouse-server 18.16,
# two servers started here on 127.0.0.1 in a temporary directory, stopped by their pids) behind
# two collector instances, each with its own spool.
#
#   1. Acknowledged pings/s: telemetry-loadgen against one SQLite collector, one ClickHouse
#      collector, then each of two ClickHouse collectors at once (PINGS each, 32 connections,
#      synchronous=full).
#   2. The forwarders' rows/s: from the load's start until both spools are empty.
#   3. The 35-day KPI backfill (bench/kpi_gen.py, ACCOUNTS accounts): import into both stores,
#      `aggregate --from --to` on both, and `kpis` compared byte for byte.
#
# Not run by CI (minutes). Usage: bench/clickhouse_scale_out.sh [PINGS] [ACCOUNTS]
# (default 100000 30000), with BUILD=build/release (or any preset's build directory).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$here/build/default}
collector=$build/collector/telemetry-collector
loadgen=$build/tools/loadgen/telemetry-loadgen
pings=${1:-100000}
accounts=${2:-30000}
for b in "$collector" "$loadgen"; do [[ -x $b ]] || { echo "no $b: build it first" >&2; exit 1; }; done
command -v /usr/sbin/clickhouse-server >/dev/null || { echo "run scripts/deps.sh" >&2; exit 1; }
work=$(mktemp -d /tmp/clickhouse-scale-out-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | xargs printf '%.2f'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

http=() tcp=()
for i in 0 1; do http[$i]=$(free_port); tcp[$i]=$(free_port); done
replicas=""
for i in 0 1; do
  replicas+="<shard><replica><host>127.0.0.1</host><port>${tcp[$i]}</port></replica></shard>"
done
start_clickhouse() {
  local i=$1 dir="$work/ch$1"
  mkdir -p "$dir"
  cat >"$dir/config.xml" <<XML
<yandex>
  <logger><level>warning</level><log>$dir/server.log</log><errorlog>$dir/server.err.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host><tcp_port>${tcp[$i]}</tcp_port><http_port>${http[$i]}</http_port>
  <path>$dir/data/</path><tmp_path>$dir/tmp/</tmp_path><user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>$dir/users.xml</users_config><default_profile>default</default_profile>
  <default_database>default</default_database><mark_cache_size>536870912</mark_cache_size>
  <timezone>UTC</timezone>
  <remote_servers><bench>$replicas</bench></remote_servers>
</yandex>
XML
  cat >"$dir/users.xml" <<XML
<yandex>
  <profiles><default><max_memory_usage>8000000000</max_memory_usage>
    <max_bytes_before_external_group_by>3000000000</max_bytes_before_external_group_by></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
XML
  /usr/sbin/clickhouse-server --config-file="$dir/config.xml" >"$dir/stdout" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:${http[$i]}/?query=SELECT%201" >/dev/null && return 0
    sleep 0.2
  done
  echo "clickhouse-server $i did not start; see $dir" >&2; exit 1
}
start_clickhouse 0
start_clickhouse 1
store="clickhouse://127.0.0.1:${http[0]},127.0.0.1:${http[1]}/bench?cluster=bench"

# Starts `telemetry-collector serve ARGS...` on a free port; sets $port.
serve() {
  local log=$1; shift
  "$collector" serve "$@" --insecure-dev-key --listen 127.0.0.1:0 >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 200); do
    port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log")
    [[ -n $port ]] && return 0
    sleep 0.05
  done
  echo "the collector did not start:" >&2; cat "$log" >&2; exit 1
}
submit_rate() { awk '$1 == "submit" { print $7 }' "$1"; }
submit_p99() { awk '$1 == "submit" { print $9 }' "$1"; }
health() { curl -s "http://127.0.0.1:$1/health"; }
forwarded_rows() { health "$1" | sed -n 's/^forwarded: [0-9]* records, \([0-9]*\) rows.*/\1/p'; }
waiting() { health "$1" | sed -n 's/^spool: \([0-9]*\) of.*/\1/p'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== ingestion: $pings pings per collector, 32 connections, synchronous=full"
serve "$work/sqlite.log" --db "$work/sqlite.db"
"$loadgen" --target "127.0.0.1:$port" --pings "$pings" --connections 32 >"$work/lg-sqlite.txt" 2>&1
echo "SQLite, one collector: $(submit_rate "$work/lg-sqlite.txt") pings/s acknowledged, p99 $(submit_p99 "$work/lg-sqlite.txt") ms"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

# One ClickHouse collector alone: the spool's cost beside SQLite's store (same fsync per commit).
serve "$work/one.log" --store "$store" --spool "$work/one.spool"
"$loadgen" --target "127.0.0.1:$port" --pings "$pings" --connections 32 >"$work/lg-one.txt" 2>&1
echo "ClickHouse, one collector: $(submit_rate "$work/lg-one.txt") pings/s acknowledged, p99 $(submit_p99 "$work/lg-one.txt") ms"
until [[ $(waiting "$port") == 0 ]]; do sleep 0.1; done
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

serve "$work/a.log" --store "$store" --spool "$work/a.spool"; port_a=$port
serve "$work/b.log" --store "$store" --spool "$work/b.spool"; port_b=$port
t0=$(now)
"$loadgen" --target "127.0.0.1:$port_a" --pings "$pings" --connections 32 >"$work/lg-a.txt" 2>&1 &
lg_a=$!
"$loadgen" --target "127.0.0.1:$port_b" --pings "$pings" --connections 32 >"$work/lg-b.txt" 2>&1
wait "$lg_a"
t1=$(now)
ra=$(submit_rate "$work/lg-a.txt"); rb=$(submit_rate "$work/lg-b.txt")
echo "ClickHouse, two collectors at once: $ra + $rb = $(echo "$ra + $rb" | bc) pings/s acknowledged, p99 $(submit_p99 "$work/lg-a.txt") / $(submit_p99 "$work/lg-b.txt") ms"
until [[ $(waiting "$port_a") == 0 && $(waiting "$port_b") == 0 ]]; do sleep 0.1; done
t2=$(now)
rows=$(( $(forwarded_rows "$port_a") + $(forwarded_rows "$port_b") ))
echo "forwarders: $rows rows in $(secs "$t0" "$t2") s from the load's start ($(echo "$rows / ($t2 - $t0)" | bc) rows/s); spools empty $(secs "$t1" "$t2") s after the load ended"
stored=$(curl -s "http://127.0.0.1:${http[0]}/?database=bench" --data-binary "SELECT count() FROM (SELECT document_id FROM pings GROUP BY document_id)")
echo "distinct pings in the cluster: $stored (sent $((3 * pings)): one collector, then two)"

echo "== KPI backfill: $accounts accounts, 35 days + 30-day lead-in"
today=$(( $(date +%s) / 86400 )); last=$((today - 1)); to=$((today - 2)); from=$((today - 36))
mkdir -p "$work/gen"
python3 "$here/bench/kpi_gen.py" "$accounts" 35 30 "$last" "$work/gen"
f=$(date -u -d "@$((from * 86400))" +%F); t=$(date -u -d "@$((to * 86400))" +%F)
t0=$(now); "$collector" import --db "$work/kpi.db" --format fxa-csv --insecure-dev-key "$work/gen/backfill.csv" >/dev/null 2>&1; t1=$(now)
echo "import: SQLite $(secs "$t0" "$t1") s"
t0=$(now); "$collector" import --store "$store" --format fxa-csv --insecure-dev-key "$work/gen/backfill.csv" >/dev/null 2>&1; t1=$(now)
echo "import: ClickHouse cluster $(secs "$t0" "$t1") s"
for run in warm timed; do
  t0=$(now); "$collector" aggregate --db "$work/kpi.db" --from "$f" --to "$t" >/dev/null 2>&1; t1=$(now)
  ours=$(secs "$t0" "$t1")
  t0=$(now); "$collector" aggregate --store "$store" --from "$f" --to "$t" >/dev/null 2>"$work/agg.err" || { cat "$work/agg.err"; exit 1; }; t1=$(now)
  theirs=$(secs "$t0" "$t1")
done
echo "backfill 35 days: SQLite $ours s, ClickHouse cluster $theirs s"
"$collector" kpis --db "$work/kpi.db" --from "$f" --to "$t" >"$work/sqlite.csv"
"$collector" kpis --store "$store" --from "$f" --to "$t" >"$work/clickhouse.csv"
if cmp -s "$work/sqlite.csv" "$work/clickhouse.csv"; then
  echo "kpis: byte-identical ($(($(wc -l <"$work/sqlite.csv") - 1)) days)"
else
  echo "kpis: DIFFERENT"; diff "$work/sqlite.csv" "$work/clickhouse.csv" | head; exit 1
fi
