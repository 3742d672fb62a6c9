#!/usr/bin/env bash
# The Sales data product against PostgreSQL's own limits, measured in one run on one fresh server holding >= 1M orders:
#   1. GET /orders/{id} (order + items, random ids) with wrk  vs  pgbench running the endpoint's own two statements (same
#      ids, same concurrency): requests/s over tps, target >= 0.5; also vs pgbench's prepared primary-key lookup (context);
#   2. GET /datasets/orders/rows?limit=100 (the first page) with wrk  vs  pgbench running the page's statement: target >= 0.5;
#      for both, the API process's CPU time per request against the database server's CPU time per request in the same
#      run (from /proc/<pid>/stat of the API and of every PostgreSQL process): target API <= database. CPU per request
#      does not depend on how busy the machine is, where throughput does. Rounds alternate API and pgbench; medians;
#      both also against bench/bare-endpoint, the same statements and JSON values with nothing else (no auth, no
#      middleware, no catalog, no cursor): the floor plain ASP.NET Core, Npgsql and the kernel set on this machine; and
#      the CPU of wrk and of pgbench themselves, which share the cores: the whole machine's CPU per request against per
#      pgbench transaction is the ratio those costs allow;
#   3. a page 10,000 pages deep vs the first page (keyset cursor), median latency with wrk on one connection: target <= 1.2;
#   4. CSV export of every order (Accept: text/csv)  vs  psql -c "COPY (SELECT ...) TO STDOUT (FORMAT csv)" of the same
#      columns: throughput ratio (medians of three alternating runs), target >= 0.7; and the API's peak resident memory
#      (VmHWM) over the whole run: < 250 MB.
# Usage: bench/api.sh [SCALE]   (default 50000 = 1,000,000 orders; sales only)
# Needs: PostgreSQL 15 server binaries (Debian postgresql-15), wrk, python3, curl, bc, the .NET 10 SDK.
set -euo pipefail

scale=${1:-50000}
repo=$(cd "$(dirname "$0")/.." && pwd)
pg_port=${BENCH_PG_PORT:-55451}
api_port=${BENCH_API_PORT:-55452}
bare_port=${BENCH_BARE_PORT:-$((api_port + 1))}
duration=${BENCH_DURATION:-15}
rounds=${BENCH_ROUNDS:-3}
connections=${BENCH_CONNECTIONS:-32}
warmup=${BENCH_WARMUP:-60} # seconds of GET /orders/{id} before the runs; a third of it on the rows page
work=$(mktemp -d /tmp/datameesh-bench-api.XXXXXX)
# shellcheck source=bench/lib/sales-api.sh
. "$repo/bench/lib/sales-api.sh"
trap bench_cleanup EXIT

bench_start_server
echo "building (Release), migrating and seeding --scale $scale (sales)..."
dotnet build -c Release -v q -nologo "$repo/DataMeesh.Seeder" >/dev/null
dotnet build -c Release -v q -nologo "$repo/DataMeesh.SalesApi" >/dev/null
dotnet build -c Release -v q -nologo "$repo/bench/bare-endpoint" >/dev/null
api_dll="$repo/DataMeesh.SalesApi/bin/Release/net10.0/DataMeesh.SalesApi.dll"
bench_seed_sales "$api_dll" "$repo/DataMeesh.Seeder/bin/Release/net10.0/DataMeesh.Seeder.dll" "$scale"
bench_token

echo "starting the Sales API (Release)..."
bench_start_api "$api_dll" "$api_port" "$work/api.log"
base="http://127.0.0.1:$api_port"
auth="Authorization: Bearer $token"

# pgbench_cpu SCRIPT: prints "tps DB-us pgbench-us" per transaction (the server's CPU over the run, exited backends
# included; pgbench's own CPU).
pgbench_cpu() {
  local db0 db1 out transactions
  db0=$(server_ticks)
  out=$(client_cpu "$work/pgbench.cpu" pgbench -n -h 127.0.0.1 -p "$pg_port" -U postgres -M prepared -c "$connections" -j 2 -T "$duration" -f "$1" sales 2>&1)
  sleep 0.5 # the backends exit once pgbench has disconnected
  db1=$(server_ticks)
  transactions=$(awk '/actually processed/ { split($NF, n, "/"); print n[1] }' <<<"$out")
  echo "$(awk '/^tps = / { print $3 }' <<<"$out") $(us_per $((db1 - db0)) "$transactions")" \
    "$(client_us_per "$work/pgbench.cpu" "$transactions")"
}

median_ms() { # wrk --latency output -> the 50th percentile in milliseconds
  awk '$1 == "50%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else { sub(/s$/, "", v); v *= 1000 } print v }'
}

echo "1-2. GET /orders/{id} and the first rows page vs pgbench ($connections connections, ${duration}s per run, $rounds rounds alternating)..."
bench_orders_script "$work/orders.lua"
first_page="/datasets/orders/rows?limit=100"
# For context: a prepared primary-key lookup of one order, the cheapest read there is.
printf '\\set id random(1, %s)\nSELECT * FROM orders WHERE order_id = :id;\n' "$max_order" >"$work/lookup.sql"
# The database doing exactly what each endpoint asks of it, as the API sends it: the order and its items (two statements
# pipelined in one round trip, as Npgsql sends a batch), and the first page (limit + 1 rows: one more tells whether there
# is a next page). Columns and masking as the API selects them for this reader.
select_list_of() { curl -sf "$base/datasets/$1" | python3 -c '
import json, sys
columns = json.load(sys.stdin)["columns"]
print(", ".join(("CASE WHEN \"%s\" IS NULL THEN NULL ELSE %s END AS \"%s\"" % (c["name"], "\x27***\x27", c["name"])) if c["classification"] == "pii" else "\"%s\"" % c["name"] for c in columns))'; }
order_sql="SELECT $(select_list_of orders) FROM public.\"orders\" WHERE \"order_id\" = \$1 ORDER BY \"order_id\" LIMIT 1"
items_sql="SELECT $(select_list_of order_items) FROM public.\"order_items\" WHERE \"order_id\" = \$1 ORDER BY \"item_id\" LIMIT 1001"
cat >"$work/order-with-items.sql" <<SQL
\set id random(1, $max_order)
\startpipeline
${order_sql//\$1/:id};
${items_sql//\$1/:id};
\endpipeline
SQL
page_sql="SELECT $(select_list_of orders) FROM public.\"orders\" ORDER BY \"order_id\" LIMIT 101"
echo "$page_sql;" >"$work/first-page.sql"
# The floor: the same statements on a connection set up as the API's (DataPlane.Configure: its role, its Npgsql settings)
# and the same JSON.
BENCH_ORDER_SQL="$order_sql" BENCH_ITEMS_SQL="$items_sql" BENCH_PAGE_SQL="$page_sql" ConnectionStrings__sales="$connection" \
ASPNETCORE_URLS="http://127.0.0.1:$bare_port" dotnet "$repo/bench/bare-endpoint/bin/Release/net10.0/BareEndpoint.dll" >"$work/bare.log" 2>&1 &
bare_pid=$!
api_pids+=("$bare_pid")
bare="http://127.0.0.1:$bare_port"
for _ in $(seq 1 100); do curl -sf "$bare/orders/1" >/dev/null 2>&1 && break; sleep 0.2; done
for id in 1 "$((max_order / 2))" "$max_order"; do
  [ "$(curl -sf "$bare/orders/$id")" = "$(curl -sf -H "$auth" "$base/orders/$id")" ] ||
    { echo "the bare endpoint and the API answer GET /orders/$id differently:"; curl -s "$bare/orders/$id"; tail -n 20 "$work/bare.log"; exit 1; }
done
items_of() { python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["items"]))'; }
[ "$(curl -sf "$bare$first_page" | items_of)" = "$(curl -sf -H "$auth" "$base$first_page" | items_of)" ] ||
  { echo "the bare endpoint and the API serve different rows on the first page"; exit 1; }
# Warm-up at full concurrency until the steady state: with both cores saturated, the tiered JIT needs ~40 s to move the
# hot paths to optimised code (measured: the API's CPU per request falls to a third over that time).
wrk -t2 -c"$connections" -d"${warmup}s" -s "$work/orders.lua" "$base" >/dev/null
wrk -t2 -c"$connections" -d"$((warmup / 3 + 1))s" -H "$auth" "$base$first_page" >/dev/null
wrk -t2 -c"$connections" -d"$((warmup / 2 + 1))s" -s "$work/orders.lua" "$bare" >/dev/null
wrk -t2 -c"$connections" -d"$((warmup / 3 + 1))s" "$bare$first_page" >/dev/null
pgbench_cpu "$work/lookup.sql" >/dev/null
for round in $(seq 1 "$rounds"); do
  read -r api_rps api_us api_db_us api_wrk_us < <(wrk_cpu "$api_pid" "$work/wrk-orders.txt" -t2 -c"$connections" -d"${duration}s" -s "$work/orders.lua" "$base")
  read -r lookup_tps _ < <(pgbench_cpu "$work/lookup.sql")
  read -r bare_rps bare_us bare_db_us _ < <(wrk_cpu "$bare_pid" "$work/wrk-bare.txt" -t2 -c"$connections" -d"${duration}s" -s "$work/orders.lua" "$bare")
  read -r same_tps same_db_us same_client_us < <(pgbench_cpu "$work/order-with-items.sql")
  read -r page_rps page_us page_db_us page_wrk_us < <(wrk_cpu "$api_pid" "$work/wrk-page.txt" -t2 -c"$connections" -d"${duration}s" -H "$auth" "$base$first_page")
  read -r page_tps page_pg_db_us page_client_us < <(pgbench_cpu "$work/first-page.sql")
  read -r bare_page_rps bare_page_us bare_page_db_us _ < <(wrk_cpu "$bare_pid" "$work/wrk-bare-page.txt" -t2 -c"$connections" -d"${duration}s" "$bare$first_page")
  [ -n "$api_rps" ] && [ -n "$page_rps" ] && [ -n "$bare_rps" ] && [ -n "$bare_page_rps" ] || exit 1
  echo "$api_rps $lookup_tps $same_tps $api_us $api_db_us $same_db_us $page_rps $page_tps $page_us $page_db_us $page_pg_db_us $bare_rps $bare_us $bare_db_us $bare_page_rps $bare_page_us $bare_page_db_us $api_wrk_us $same_client_us $page_wrk_us $page_client_us" >>"$work/rounds.txt"
  printf '   round %s: GET /orders/{id} %6.0f req/s (API %5.1f us, DB %5.1f us per request)   pgbench same statements %6.0f tps (DB %5.1f us)   PK lookup %6.0f tps\n' \
    "$round" "$api_rps" "$api_us" "$api_db_us" "$same_tps" "$same_db_us" "$lookup_tps"
  printf '            bare endpoint  %6.0f req/s (API %5.1f us, DB %5.1f us per request)\n' "$bare_rps" "$bare_us" "$bare_db_us"
  printf '            rows page      %6.0f req/s (API %5.1f us, DB %5.1f us per request)   pgbench its statement   %6.0f tps (DB %5.1f us)\n' \
    "$page_rps" "$page_us" "$page_db_us" "$page_tps" "$page_pg_db_us"
  printf '            bare page      %6.0f req/s (API %5.1f us, DB %5.1f us per request)\n' "$bare_page_rps" "$bare_page_us" "$bare_page_db_us"
done
column_median() { awk "{ print $1 }" "$work/rounds.txt" | median; }
same_ratio=$(column_median '$1 / $3')
lookup_ratio=$(column_median '$1 / $2')
api_cpu=$(column_median '$4'); api_db_cpu=$(column_median '$5'); same_db_cpu=$(column_median '$6')
bare_ratio=$(column_median '$12 / $3')
bare_cpu=$(column_median '$13'); api_over_bare=$(column_median '$4 - $13')
page_ratio=$(column_median '$7 / $8')
page_cpu=$(column_median '$9'); page_db_cpu=$(column_median '$10'); page_pg_db_cpu=$(column_median '$11')
bare_page_ratio=$(column_median '$15 / $8')
bare_page_cpu=$(column_median '$16'); page_over_bare=$(column_median '$9 - $16')
# The two shared cores run the load generator too: the CPU one request costs the whole machine (wrk + API + database)
# against one pgbench transaction (pgbench + database) is the ratio these costs allow, whatever else the machine does.
wrk_cpu_median=$(column_median '$18'); same_client_cpu=$(column_median '$19')
allowed_ratio=$(column_median '($19 + $6) / ($18 + $4 + $5)')
page_wrk_cpu=$(column_median '$20'); page_client_cpu=$(column_median '$21')
page_allowed_ratio=$(column_median '($21 + $11) / ($20 + $9 + $10)')

echo "3. page 10,000 (or the last) vs the first page (median latency, one connection)..."
deep_page=$(python3 - "$base" "$token" "$first_page" <<'PY'
import http.client, json, sys, urllib.parse
base, token, path = sys.argv[1], sys.argv[2], sys.argv[3]
url = urllib.parse.urlparse(base)
connection = http.client.HTTPConnection(url.hostname, url.port)
page = 1
while page < 10_000:  # follow the cursors from page 1 to page 10,000 (or the last page, at small scales)
    connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    cursor = json.loads(connection.getresponse().read())["nextCursor"]
    if cursor is None:
        break
    path = "/datasets/orders/rows?limit=100&cursor=" + urllib.parse.quote(cursor)
    page += 1
print(page, path)
PY
)
read -r deep_page_number deep_page <<<"$deep_page"
wrk -t1 -c1 -d3s -H "$auth" "$base$first_page" >/dev/null
wrk -t1 -c1 -d"${duration}s" --latency -H "$auth" "$base$first_page" >"$work/wrk-first.txt"
wrk -t1 -c1 -d"${duration}s" --latency -H "$auth" "$base$deep_page" >"$work/wrk-deep.txt"
first_ms=$(median_ms <"$work/wrk-first.txt")
deep_ms=$(median_ms <"$work/wrk-deep.txt")
deep_ids=$(curl -sf -H "$auth" "$base$deep_page" | python3 -c 'import json,sys; i=json.load(sys.stdin)["items"]; print(i[0]["order_id"], i[-1]["order_id"])')

echo "4. CSV export of all orders vs psql COPY ... TO STDOUT (FORMAT csv)..."
# The same rows, columns and order as the API; PII columns come back masked for this reader, so psql masks them too.
dataset=$(curl -sf "$base/datasets/orders")
select_list=$(python3 - "$dataset" <<'PY'
import json, sys
columns = json.loads(sys.argv[1])["columns"]
print(", ".join("'***' AS " + c["name"] if c["classification"] == "pii" else c["name"] for c in columns))
PY
)
api_header=$(curl -sf -H "$auth" -H "Accept: text/csv" "$base/datasets/orders/rows?order_id=1" | sed -n 1p | tr -d '\r')
psql_header=$(psql_sales -c "COPY (SELECT $select_list FROM orders WHERE order_id = 1) TO STDOUT (FORMAT csv, HEADER)" | sed -n 1p)
[ "$api_header" = "$psql_header" ] || { echo "CSV headers differ: API '$api_header', psql '$psql_header'"; exit 1; }
# One export takes about a second, so a busy moment moves a single pair a lot: three pairs alternate, medians are used.
for _ in 1 2 3; do
  start=$(date +%s.%N)
  api_lines=$(curl -sf -H "$auth" -H "Accept: text/csv" "$base/datasets/orders/rows" | wc -l)
  echo "$(date +%s.%N) - $start" | bc -l >>"$work/csv-api.txt"
  start=$(date +%s.%N)
  psql_lines=$(psql_sales -c "COPY (SELECT $select_list FROM orders ORDER BY order_id) TO STDOUT (FORMAT csv, HEADER)" | wc -l)
  echo "$(date +%s.%N) - $start" | bc -l >>"$work/csv-psql.txt"
done
api_seconds=$(median <"$work/csv-api.txt")
psql_seconds=$(median <"$work/csv-psql.txt")
[ "$api_lines" -eq "$psql_lines" ] || { echo "CSV line counts differ: API $api_lines, psql $psql_lines"; exit 1; }
peak_kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$api_pid/status")

ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }
printf '\n%s orders (scale %s); %s connections, %ss per run\n' "$orders" "$scale" "$connections" "$duration"
printf '1. GET /orders/{id} (order + items) / pgbench running the same two statements: median ratio %.2f (target >= 0.50)\n' "$same_ratio"
printf '   CPU per request: API %.1f us, database %.1f us (target API <= database; pgbench alone: database %.1f us per transaction)\n' \
  "$api_cpu" "$api_db_cpu" "$same_db_cpu"
printf '   machine CPU per request: wrk %.1f + API %.1f + database %.1f us; per pgbench transaction: pgbench %.1f + database %.1f us; these CPU costs allow a ratio of %.2f\n' \
  "$wrk_cpu_median" "$api_cpu" "$api_db_cpu" "$same_client_cpu" "$same_db_cpu" "$allowed_ratio"
printf '   (for scale: GET /orders/{id} / pgbench primary-key lookup of the order alone = %.2f)\n' "$lookup_ratio"
printf '   floor (bench/bare-endpoint: the same statements and JSON, no auth, middleware or catalog): ratio %.2f, CPU %.1f us per request\n' \
  "$bare_ratio" "$bare_cpu"
printf '   the data product over the floor: %+.1f us of API CPU per request (median of the rounds)\n' "$api_over_bare"
printf '2. first rows page (limit 100) / pgbench running its statement: median ratio %.2f (target >= 0.50)\n' "$page_ratio"
printf '   CPU per request: API %.1f us, database %.1f us (target API <= database; pgbench alone: database %.1f us per transaction)\n' \
  "$page_cpu" "$page_db_cpu" "$page_pg_db_cpu"
printf '   machine CPU per request: wrk %.1f + API %.1f + database %.1f us; per pgbench transaction: pgbench %.1f + database %.1f us; these CPU costs allow a ratio of %.2f\n' \
  "$page_wrk_cpu" "$page_cpu" "$page_db_cpu" "$page_client_cpu" "$page_pg_db_cpu" "$page_allowed_ratio"
printf '   floor (bench/bare-endpoint: the same statement and rows, no auth, middleware, catalog or cursor): ratio %.2f, CPU %.1f us per request\n' \
  "$bare_page_ratio" "$bare_page_cpu"
printf '   the data product over the floor: %+.1f us of API CPU per request (median of the rounds)\n' "$page_over_bare"
printf '3. page %s (ids %s)  median %.2f ms   first page median %.2f ms   ratio %s (target <= 1.20)\n' \
  "$(printf "%'d" "$deep_page_number")" "$(tr ' ' '-' <<<"$deep_ids")" "$deep_ms" "$first_ms" "$(ratio "$deep_ms" "$first_ms")"
printf '4. CSV export (%s rows, median of 3)  %8.0f rows/s (%.1f s)   psql COPY csv %8.0f rows/s (%.1f s)   ratio %s (target >= 0.70)\n' \
  "$((api_lines - 1))" "$(echo "$api_lines / $api_seconds" | bc -l)" "$api_seconds" "$(echo "$psql_lines / $psql_seconds" | bc -l)" "$psql_seconds" \
  "$(ratio "$psql_seconds" "$api_seconds")"
printf '   API peak resident memory (VmHWM, whole run): %d MB (target < 250)\n' "$((peak_kb / 1024))"
