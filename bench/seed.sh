#!/usr/bin/env bash
# Seeder throughput against PostgreSQL's own tools, measured in one run on one fresh server:
#   1. the seeder loads --scale SCALE (default 50,000 = 1M orders) into freshly migrated sales and marketing databases;
#   2. pg_dump writes a custom-format dump of each seeded database, and pg_restore --single-transaction restores it into
#      a fresh database (tables, then the rows, then indexes and constraints), both domains in parallel: the anchor;
#   3. every table is exported with COPY ... TO STDOUT (FORMAT binary), and psql reloads the same rows with COPY ... FROM
#      STDIN (FORMAT binary) (\copy) into the indexed tables, one transaction per domain, the two domains in parallel;
#   4. prints the three rates, seeder/pg_restore (target >= 1.0) and seeder/psql.
# Usage: bench/seed.sh [SCALE]     Needs: PostgreSQL 15 server and client binaries (Debian postgresql-15), bc, .NET 10 SDK.
set -euo pipefail

scale=${1:-50000}
repo=$(cd "$(dirname "$0")/.." && pwd)
port=${BENCH_PG_PORT:-55450}
pg_bin=/usr/lib/postgresql/15/bin
work=$(mktemp -d /tmp/datameesh-bench.XXXXXX)
chmod 755 "$work"
mkdir -p "$work/data" "$work/socket" "$work/copy"
chown -R postgres "$work"

runuser -u postgres -- "$pg_bin/initdb" -D "$work/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# wal_level=minimal: a COPY into tables truncated in the same transaction writes no WAL (both sides do exactly that), which
# keeps a 1M-order run (~80M rows) within a laptop's disk; the large checkpoint budget keeps checkpoints out of both runs.
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w \
  -o "-p $port -k $work/socket -c listen_addresses=127.0.0.1 -c wal_level=minimal -c max_wal_senders=0 -c max_prepared_transactions=8 -c max_wal_size=8GB -c checkpoint_timeout=1h -c shared_buffers=1GB" start >/dev/null
trap 'runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1; rm -rf "$work"' EXIT

psql_db() { psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d "$1" "${@:2}"; }
export ConnectionStrings__sales="Host=127.0.0.1;Port=$port;Username=postgres;Database=sales"
export ConnectionStrings__marketing="Host=127.0.0.1;Port=$port;Username=postgres;Database=marketing"

echo "building (Release) and migrating..."
dotnet build -c Release -v q -nologo "$repo/DataMeesh.Seeder" >/dev/null
dotnet build -c Release -v q -nologo "$repo/DataMeesh.SalesApi" >/dev/null
dotnet build -c Release -v q -nologo "$repo/DataMeesh.MarketingApi" >/dev/null
dotnet "$repo/DataMeesh.SalesApi/bin/Release/net10.0/DataMeesh.SalesApi.dll" migrate >/dev/null
dotnet "$repo/DataMeesh.MarketingApi/bin/Release/net10.0/DataMeesh.MarketingApi.dll" migrate >/dev/null

sales_tables="customers products orders order_items"
marketing_tables="campaigns leads campaign_metrics website_traffic"

psql_db postgres -c CHECKPOINT
echo "seeder: --scale $scale"
# --reset: the seeder truncates inside its load transaction, exactly as the psql reload below does.
if ! dotnet "$repo/DataMeesh.Seeder/bin/Release/net10.0/DataMeesh.Seeder.dll" --scale "$scale" --seed 42 --as-of 2026-11-23 --reset \
    >"$work/seeder.log" 2>&1; then
  echo "the seeder failed:"; tail -n 40 "$work/seeder.log"; exit 1
fi
# "total: loaded 85,806,970 rows in 848.21 s (101,188 rows/s)": thousands separators dropped.
total_line=$(grep '^total: loaded' "$work/seeder.log" | tr -d ',')
seed_rows=$(sed -E 's/^total: loaded ([0-9]+) rows in ([0-9.]+) s.*/\1/' <<<"$total_line")
seed_seconds=$(sed -E 's/^total: loaded ([0-9]+) rows in ([0-9.]+) s.*/\2/' <<<"$total_line")
orders=$(psql_db sales -At -c "SELECT count(*) FROM orders")

echo "pg_restore --single-transaction of custom-format dumps of the same databases into fresh ones, both in parallel..."
for db in sales marketing; do
  pg_dump -h 127.0.0.1 -p "$port" -U postgres -Fc -d "$db" -f "$work/$db.dump"
  psql_db postgres -c "CREATE DATABASE ${db}_restore"
done
psql_db postgres -c CHECKPOINT
start=$(date +%s.%N)
pg_restore --single-transaction --exit-on-error -h 127.0.0.1 -p "$port" -U postgres -d sales_restore "$work/sales.dump" & sales_pid=$!
pg_restore --single-transaction --exit-on-error -h 127.0.0.1 -p "$port" -U postgres -d marketing_restore "$work/marketing.dump" & marketing_pid=$!
wait "$sales_pid" && wait "$marketing_pid"
end=$(date +%s.%N)
restore_seconds=$(echo "$end - $start" | bc -l)
count_rows() { # database tables...
  local db=$1; shift
  psql_db "$db" -At -c "SELECT $(printf '(SELECT count(*) FROM %s)+' "$@")0"
}
restore_rows=$(( $(count_rows sales_restore $sales_tables) + $(count_rows marketing_restore $marketing_tables) ))
[ "$restore_rows" -eq "$seed_rows" ] || { echo "row counts differ: seeder $seed_rows, pg_restore $restore_rows"; exit 1; }
psql_db postgres -c "DROP DATABASE sales_restore" -c "DROP DATABASE marketing_restore"
rm -f "$work/sales.dump" "$work/marketing.dump"

echo "exporting the same rows (binary)..."
for t in $sales_tables; do psql_db sales -c "\\copy $t TO '$work/copy/$t.bin' (FORMAT binary)"; done
for t in $marketing_tables; do psql_db marketing -c "\\copy $t TO '$work/copy/$t.bin' (FORMAT binary)"; done

reload() { # domain tables...: one transaction, TRUNCATE then COPY FROM STDIN per table, as the seeder's --reset does
  local db=$1; shift
  local args=(-1 -c "TRUNCATE $(tr ' ' ',' <<<"$*") RESTART IDENTITY CASCADE")
  for t in "$@"; do args+=(-c "\\copy $t FROM '$work/copy/$t.bin' (FORMAT binary)"); done
  psql_db "$db" -v ON_ERROR_STOP=1 "${args[@]}" >/dev/null
}

# Empty the tables first (not timed) so the timed reload starts from what the seeder started from, and the old files are
# not kept alongside the new ones until COMMIT (which would double the disk needed).
psql_db sales -c "TRUNCATE $(tr ' ' ',' <<<"$sales_tables") RESTART IDENTITY CASCADE" -c CHECKPOINT
psql_db marketing -c "TRUNCATE $(tr ' ' ',' <<<"$marketing_tables") RESTART IDENTITY CASCADE" -c CHECKPOINT

echo "psql: COPY FROM STDIN (FORMAT binary), both domains in parallel..."
start=$(date +%s.%N)
reload sales $sales_tables &
reload marketing $marketing_tables &
wait
end=$(date +%s.%N)
psql_rows=$(( $(count_rows sales $sales_tables) + $(count_rows marketing $marketing_tables) ))
psql_seconds=$(echo "$end - $start" | bc -l)

[ "$psql_rows" -eq "$seed_rows" ] || { echo "row counts differ: seeder $seed_rows, psql $psql_rows"; exit 1; }
seed_rate=$(echo "$seed_rows / $seed_seconds" | bc -l)
restore_rate=$(echo "$restore_rows / $restore_seconds" | bc -l)
psql_rate=$(echo "$psql_rows / $psql_seconds" | bc -l)
printf '\nscale %s: %s orders, %s rows in all\n' "$scale" "$orders" "$seed_rows"
printf 'seeder          %10.0f rows/s  (%.1f s)\n' "$seed_rate" "$seed_seconds"
printf 'pg_restore -1   %10.0f rows/s  (%.1f s)\n' "$restore_rate" "$restore_seconds"
printf 'psql COPY (bin) %10.0f rows/s  (%.1f s, into the indexed tables)\n' "$psql_rate" "$psql_seconds"
printf 'ratio seeder/pg_restore: %.2f (target >= 1.0)\n' "$(echo "$seed_rate / $restore_rate" | bc -l)"
printf 'ratio seeder/psql: %.2f\n' "$(echo "$seed_rate / $psql_rate" | bc -l)"
