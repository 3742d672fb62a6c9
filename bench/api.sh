#!/usr/bin/env bash
# The Sales data product against PostgreSQL's own limits, measured in one run on one fresh server holding >= 1M orders:
#   1. GET /orders/{id} (order + items, random ids) with wrk  vs  pgbench running the endpoint's own two statements (same
#      ids, same concurrency): requests/s over tps, target >= 0.5; also vs pgbench's prepared primary-key lookup (context);
#   2. GET /datasets/orders/rows?limit=100 (the first page) with wrk  vs  pgbench running the page's statement: target >= 0.5;
#      for both, the API process's CPU time per request against the database server's CPU time per request in the same
#      run (from /proc/<pid>/stat of the API and of every PostgreSQL process): target API <= database. CPU per request
#      does not depend on how busy the machine is, where throughput does. Rounds alternate API and pgbench; medians;
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
duration=${BENCH_DURATION:-15}
rounds=${BENCH_ROUNDS:-3}
connections=${BENCH_CONNECTIONS:-32}
pg_bin=/usr/lib/postgresql/15/bin
work=$(mktemp -d /tmp/datameesh-bench-api.XXXXXX)
chmod 755 "$work"
mkdir -p "$work/data" "$work/socket"
chown -R postgres "$work"
api_pid=""

cleanup() {
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null || true
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

runuser -u postgres -- "$pg_bin/initdb" -D "$work/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w \
  -o "-p $pg_port -k $work/socket -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=1GB" start >/dev/null

psql_sales() { psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d sales "$@"; }
connection="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=sales"

echo "building (Release), migrating and seeding --scale $scale (sales)..."
dotnet build -c Release -v q -nologo "$repo/DataMeesh.Seeder" >/dev/null
dotnet build -c Release -v q -nologo "$repo/DataMeesh.SalesApi" >/dev/null
api_dll="$repo/DataMeesh.SalesApi/bin/Release/net10.0/DataMeesh.SalesApi.dll"
ConnectionStrings__sales="$connection" dotnet "$api_dll" migrate >/dev/null
ConnectionStrings__sales="$connection" dotnet "$repo/DataMeesh.Seeder/bin/Release/net10.0/DataMeesh.Seeder.dll" \
  --domain sales --scale "$scale" --seed 42 --as-of 2026-11-23 >"$work/seeder.log" 2>&1 || { tail -n 40 "$work/seeder.log"; exit 1; }
psql_sales -c "VACUUM ANALYZE"
orders=$(psql_sales -At -c "SELECT count(*) FROM orders")
max_order=$(psql_sales -At -c "SELECT max(order_id) FROM orders")

# A throwaway signing key and a plain reader's token (PII masked, as most consumers see the data).
signing_key=$(python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())')
token=$(python3 - "$signing_key" <<'PY'
import base64, hashlib, hmac, json, sys, time
b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
now = int(time.time())
claims = b64(json.dumps({"sub": "bench", "iss": "datameesh-bench", "aud": "datameesh-api", "nbf": now - 60, "exp": now + 7200}).encode())
signature = hmac.new(base64.b64decode(sys.argv[1]), f"{header}.{claims}".encode(), hashlib.sha256).digest()
print(f"{header}.{claims}.{b64(signature)}")
PY
)

echo "starting the Sales API (Release)..."
ConnectionStrings__sales="$connection" \
Authentication__Schemes__Bearer__ValidIssuer=datameesh-bench \
Authentication__Schemes__Bearer__ValidAudiences__0=datameesh-api \
Authentication__Schemes__Bearer__SigningKeys__0__Issuer=datameesh-bench \
Authentication__Schemes__Bearer__SigningKeys__0__Value="$signing_key" \
DataProducts__Quality__Interval=12:00:00 \
Logging__LogLevel__Default=Warning \
ASPNETCORE_URLS="http://127.0.0.1:$api_port" \
  dotnet "$api_dll" >"$work/api.log" 2>&1 &
api_pid=$!
base="http://127.0.0.1:$api_port"
auth="Authorization: Bearer $token"
# Published = the catalog is loaded and the start-up quality run is stored, so no check runs during the measurements.
for _ in $(seq 1 600); do
  curl -sf -H "$auth" "$base/quality" 2>/dev/null | grep -q '"runId":[0-9]' && break
  sleep 0.5
done
curl -sf -H "$auth" "$base/quality" | grep -q '"runId":[0-9]' || { echo "the API did not start:"; tail -n 40 "$work/api.log"; exit 1; }

# CPU time in clock ticks (utime + stime, every thread) of one process, and of the whole PostgreSQL server: the
# postmaster, its live children (backends, background workers) and the children that have exited (cutime + cstime).
process_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
postmaster_pid=$(head -n 1 "$work/data/postmaster.pid")
server_ticks() {
  { sed 's/^.*) //' "/proc/$postmaster_pid/stat" | awk '{ print $12 + $13 + $14 + $15 }'
    for child in $(cat /proc/"$postmaster_pid"/task/*/children); do
      sed 's/^.*) //' "/proc/$child/stat" 2>/dev/null | awk '{ print $12 + $13 }' || true # it may just have exited
    done
  } | awk '{ t += $1 } END { print t }'
}
tick_us=$((1000000 / $(getconf CLK_TCK)))
us_per() { awk -v t="$1" -v n="$2" -v u="$tick_us" 'BEGIN { printf "%.1f", t * u / n }'; }

# wrk_cpu OUT WRK-ARGS...: runs wrk; prints "requests/s API-us-per-request DB-us-per-request"; fails on any non-2xx.
wrk_cpu() {
  local out=$1; shift
  local api0 db0 api1 db1 requests non_2xx
  api0=$(process_ticks "$api_pid"); db0=$(server_ticks)
  wrk "$@" >"$out"
  api1=$(process_ticks "$api_pid"); db1=$(server_ticks)
  non_2xx=$(awk '/Non-2xx/ { print $NF }' "$out")
  [ -z "$non_2xx" ] || { echo "wrk $* answered $non_2xx non-2xx responses" >&2; cat "$out" >&2; return 1; }
  requests=$(awk '/requests in/ { print $1 }' "$out")
  echo "$(awk '/^Requests\/sec:/ { print $2 }' "$out") $(us_per $((api1 - api0)) "$requests") $(us_per $((db1 - db0)) "$requests")"
}

# pgbench_cpu SCRIPT: prints "tps DB-us-per-transaction" (the server's CPU over the run, exited backends included).
pgbench_cpu() {
  local db0 db1 out
  db0=$(server_ticks)
  out=$(pgbench -n -h 127.0.0.1 -p "$pg_port" -U postgres -M prepared -c "$connections" -j 2 -T "$duration" -f "$1" sales 2>&1)
  sleep 0.5 # the backends exit once pgbench has disconnected
  db1=$(server_ticks)
  echo "$(awk '/^tps = / { print $3 }' <<<"$out") $(us_per $((db1 - db0)) "$(awk '/actually processed/ { split($NF, n, "/"); print n[1] }' <<<"$out")")"
}

median_ms() { # wrk --latency output -> the 50th percentile in milliseconds
  awk '$1 == "50%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else { sub(/s$/, "", v); v *= 1000 } print v }'
}

echo "1-2. GET /orders/{id} and the first rows page vs pgbench ($connections connections, ${duration}s per run, $rounds rounds alternating)..."
cat >"$work/orders.lua" <<LUA
math.randomseed(os.time())
wrk.headers["Authorization"] = "Bearer $token"
request = function() return wrk.format("GET", "/orders/" .. math.random(1, $max_order)) end
LUA
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
cat >"$work/order-with-items.sql" <<SQL
\set id random(1, $max_order)
\startpipeline
SELECT $(select_list_of orders) FROM public."orders" WHERE "order_id" = :id ORDER BY "order_id" LIMIT 1;
SELECT $(select_list_of order_items) FROM public."order_items" WHERE "order_id" = :id ORDER BY "item_id" LIMIT 1001;
\endpipeline
SQL
cat >"$work/first-page.sql" <<SQL
SELECT $(select_list_of orders) FROM public."orders" ORDER BY "order_id" LIMIT 101;
SQL
# Every table and index the runs touch is in shared buffers first, so no run pays for reading from disk.
psql_sales -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" \
  -c "SELECT pg_prewarm(r::regclass) FROM unnest(ARRAY['orders', 'orders_pkey', 'order_items', 'order_items_order_id_idx']) r" >/dev/null
# Warm-up at full concurrency until the steady state: with both cores saturated, the tiered JIT needs ~40 s to move the
# hot paths to optimised code (measured: the API's CPU per request falls to a third over that time).
wrk -t2 -c"$connections" -d60s -s "$work/orders.lua" "$base" >/dev/null
wrk -t2 -c"$connections" -d20s -H "$auth" "$base$first_page" >/dev/null
pgbench_cpu "$work/lookup.sql" >/dev/null
for round in $(seq 1 "$rounds"); do
  read -r api_rps api_us api_db_us < <(wrk_cpu "$work/wrk-orders.txt" -t2 -c"$connections" -d"${duration}s" -s "$work/orders.lua" "$base")
  read -r lookup_tps _ < <(pgbench_cpu "$work/lookup.sql")
  read -r same_tps same_db_us < <(pgbench_cpu "$work/order-with-items.sql")
  read -r page_rps page_us page_db_us < <(wrk_cpu "$work/wrk-page.txt" -t2 -c"$connections" -d"${duration}s" -H "$auth" "$base$first_page")
  read -r page_tps page_pg_db_us < <(pgbench_cpu "$work/first-page.sql")
  [ -n "$api_rps" ] && [ -n "$page_rps" ] || exit 1
  echo "$api_rps $lookup_tps $same_tps $api_us $api_db_us $same_db_us $page_rps $page_tps $page_us $page_db_us $page_pg_db_us" >>"$work/rounds.txt"
  printf '   round %s: GET /orders/{id} %6.0f req/s (API %5.1f us, DB %5.1f us per request)   pgbench same statements %6.0f tps (DB %5.1f us)   PK lookup %6.0f tps\n' \
    "$round" "$api_rps" "$api_us" "$api_db_us" "$same_tps" "$same_db_us" "$lookup_tps"
  printf '            rows page      %6.0f req/s (API %5.1f us, DB %5.1f us per request)   pgbench its statement   %6.0f tps (DB %5.1f us)\n' \
    "$page_rps" "$page_us" "$page_db_us" "$page_tps" "$page_pg_db_us"
done
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column_median() { awk "{ print $1 }" "$work/rounds.txt" | median; }
same_ratio=$(column_median '$1 / $3')
lookup_ratio=$(column_median '$1 / $2')
api_cpu=$(column_median '$4'); api_db_cpu=$(column_median '$5'); same_db_cpu=$(column_median '$6')
page_ratio=$(column_median '$7 / $8')
page_cpu=$(column_median '$9'); page_db_cpu=$(column_median '$10'); page_pg_db_cpu=$(column_median '$11')

echo "3. page 10,000 deep vs the first page (median latency, one connection)..."
deep_page=$(python3 - "$base" "$token" "$first_page" <<'PY'
import http.client, json, sys, urllib.parse
base, token, path = sys.argv[1], sys.argv[2], sys.argv[3]
url = urllib.parse.urlparse(base)
connection = http.client.HTTPConnection(url.hostname, url.port)
for page in range(1, 10_000):  # follow the cursors from page 1 to page 10,000
    connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    body = json.loads(connection.getresponse().read())
    path = "/datasets/orders/rows?limit=100&cursor=" + urllib.parse.quote(body["nextCursor"])
print(path)
PY
)
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
printf '   (for scale: GET /orders/{id} / pgbench primary-key lookup of the order alone = %.2f)\n' "$lookup_ratio"
printf '2. first rows page (limit 100) / pgbench running its statement: median ratio %.2f (target >= 0.50)\n' "$page_ratio"
printf '   CPU per request: API %.1f us, database %.1f us (target API <= database; pgbench alone: database %.1f us per transaction)\n' \
  "$page_cpu" "$page_db_cpu" "$page_pg_db_cpu"
printf '3. page 10,000 (ids %s)  median %.2f ms   first page median %.2f ms   ratio %s (target <= 1.20)\n' \
  "$(tr ' ' '-' <<<"$deep_ids")" "$deep_ms" "$first_ms" "$(ratio "$deep_ms" "$first_ms")"
printf '4. CSV export (%s rows, median of 3)  %8.0f rows/s (%.1f s)   psql COPY csv %8.0f rows/s (%.1f s)   ratio %s (target >= 0.70)\n' \
  "$((api_lines - 1))" "$(echo "$api_lines / $api_seconds" | bc -l)" "$api_seconds" "$(echo "$psql_lines / $psql_seconds" | bc -l)" "$psql_seconds" \
  "$(ratio "$psql_seconds" "$api_seconds")"
printf '   API peak resident memory (VmHWM, whole run): %d MB (target < 250)\n' "$((peak_kb / 1024))"
