#!/usr/bin/env bash
# Seeder throughput against PostgreSQL's own limit, measured in one run on one fresh server:
#   1. the seeder loads --scale SCALE (default 50,000 = 1M orders) into freshly migrated sales and marketing databases;
#   2. every table is exported with COPY ... TO STDOUT (FORMAT binary);
#   3. psql reloads the same rows with COPY ... FROM STDIN (FORMAT binary) (\copy), one transaction per domain, the two
#      domains in parallel -- the same shape of work the seeder does;
#   4. prints both rates and seeder/psql as a ratio (target >= 0.9).
# Usage: bench/seed.sh [SCALE]     Needs: PostgreSQL 15 server binaries (Debian postgresql-15), .NET 10 SDK.
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
  -o "-p $port -k $work/socket -c listen_addresses=127.0.0.1 -c wal_level=minimal -c max_wal_senders=0 -c max_wal_size=8GB -c checkpoint_timeout=1h -c shared_buffers=1GB" start >/dev/null
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
psql_rows=$(( $(psql_db sales -At -c "SELECT (SELECT count(*) FROM customers)+(SELECT count(*) FROM products)+(SELECT count(*) FROM orders)+(SELECT count(*) FROM order_items)") \
            + $(psql_db marketing -At -c "SELECT (SELECT count(*) FROM campaigns)+(SELECT count(*) FROM leads)+(SELECT count(*) FROM campaign_metrics)+(SELECT count(*) FROM website_traffic)") ))
psql_seconds=$(echo "$end - $start" | bc -l)

[ "$psql_rows" -eq "$seed_rows" ] || { echo "row counts differ: seeder $seed_rows, psql $psql_rows"; exit 1; }
seed_rate=$(echo "$seed_rows / $seed_seconds" | bc -l)
psql_rate=$(echo "$psql_rows / $psql_seconds" | bc -l)
printf '\nscale %s: %s orders, %s rows in all\n' "$scale" "$orders" "$seed_rows"
printf 'seeder          %10.0f rows/s  (%.1f s)\n' "$seed_rate" "$seed_seconds"
printf 'psql COPY (bin) %10.0f rows/s  (%.1f s)\n' "$psql_rate" "$psql_seconds"
printf 'ratio seeder/psql: %.2f (target >= 0.90)\n' "$(echo "$seed_rate / $psql_rate" | bc -l)"
