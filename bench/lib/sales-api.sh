# Shared by bench/api.sh and bench/api-ab.sh (sourced, not run): a fresh PostgreSQL server holding a seeded sales
# database, Sales APIs started on it, and CPU time per request of an API process and of the whole server.
# The caller sets: work (an empty directory), pg_port; these functions set the rest.
pg_bin=/usr/lib/postgresql/15/bin
api_pids=()

bench_cleanup() {
  for pid in "${api_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}

# bench_start_server: initdb and start a server on $pg_port; sets postmaster_pid and connection.
bench_start_server() {
  chmod 755 "$work"
  mkdir -p "$work/data" "$work/socket"
  chown -R postgres "$work"
  runuser -u postgres -- "$pg_bin/initdb" -D "$work/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w \
    -o "-p $pg_port -k $work/socket -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=1GB" start >/dev/null
  postmaster_pid=$(head -n 1 "$work/data/postmaster.pid")
  connection="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=sales"
}

psql_sales() { psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d sales "$@"; }

# bench_seed_sales API_DLL SEEDER_DLL SCALE: migrates with the API's own command, seeds, prewarms; sets orders, max_order.
bench_seed_sales() {
  ConnectionStrings__sales="$connection" dotnet "$1" migrate >/dev/null
  ConnectionStrings__sales="$connection" dotnet "$2" --domain sales --scale "$3" --seed 42 --as-of 2026-11-23 \
    >"$work/seeder.log" 2>&1 || { tail -n 40 "$work/seeder.log"; return 1; }
  psql_sales -c "VACUUM ANALYZE"
  orders=$(psql_sales -At -c "SELECT count(*) FROM orders")
  max_order=$(psql_sales -At -c "SELECT max(order_id) FROM orders")
  # Every table and index the runs touch is in shared buffers first, so no run pays for reading from disk.
  psql_sales -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" \
    -c "SELECT pg_prewarm(r::regclass) FROM unnest(ARRAY['orders', 'orders_pkey', 'order_items', 'order_items_order_id_idx']) r" >/dev/null
}

# bench_token: a throwaway signing key and a plain reader's token (PII masked, as most consumers see the data).
bench_token() {
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
}

# bench_start_api API_DLL PORT LOG: starts a Release Sales API (the token's key, no collector, quality checks not due
# during the run) and waits until it is published: the catalog is loaded and the start-up quality run is stored, so no
# check runs during the measurements. Sets api_pid.
bench_start_api() {
  ConnectionStrings__sales="$connection" \
  Authentication__Schemes__Bearer__ValidIssuer=datameesh-bench \
  Authentication__Schemes__Bearer__ValidAudiences__0=datameesh-api \
  Authentication__Schemes__Bearer__SigningKeys__0__Issuer=datameesh-bench \
  Authentication__Schemes__Bearer__SigningKeys__0__Value="$signing_key" \
  DataProducts__Quality__Interval=12:00:00 \
  Logging__LogLevel__Default=Warning \
  ASPNETCORE_URLS="http://127.0.0.1:$2" \
    dotnet "$1" >"$3" 2>&1 &
  api_pid=$!
  api_pids+=("$api_pid")
  for _ in $(seq 1 600); do
    curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$2/quality" 2>/dev/null | grep -q '"runId":[0-9]' && return 0
    sleep 0.5
  done
  echo "the API did not start:"; tail -n 40 "$3"; return 1
}

# bench_orders_script FILE: a wrk script requesting GET /orders/{id} for random ids with the token.
bench_orders_script() {
  cat >"$1" <<LUA
math.randomseed(os.time())
wrk.headers["Authorization"] = "Bearer $token"
request = function() return wrk.format("GET", "/orders/" .. math.random(1, $max_order)) end
LUA
}

# CPU time in clock ticks (utime + stime, every thread) of one process, and of the whole PostgreSQL server: the
# postmaster, its live children (backends, background workers) and the children that have exited (cutime + cstime).
process_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
server_ticks() {
  { sed 's/^.*) //' "/proc/$postmaster_pid/stat" | awk '{ print $12 + $13 + $14 + $15 }'
    for child in $(cat /proc/"$postmaster_pid"/task/*/children); do
      sed 's/^.*) //' "/proc/$child/stat" 2>/dev/null | awk '{ print $12 + $13 }' || true # it may just have exited
    done
  } | awk '{ t += $1 } END { print t }'
}
tick_us=$((1000000 / $(getconf CLK_TCK)))
us_per() { awk -v t="$1" -v n="$2" -v u="$tick_us" 'BEGIN { printf "%.1f", t * u / n }'; }

# client_cpu CPU_FILE COMMAND...: runs COMMAND and writes the CPU time it used (user + system, microseconds) to CPU_FILE. The
# load generator shares the machine's cores with the API and the database, so its CPU is part of what a ratio measures.
client_cpu() {
  python3 -c 'import resource, subprocess, sys
status = subprocess.call(sys.argv[2:])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as cpu:
    cpu.write("%d\n" % round((usage.ru_utime + usage.ru_stime) * 1e6))
sys.exit(status)' "$@"
}
# client_us_per CPU_FILE N: the CPU time client_cpu wrote to CPU_FILE per one of N requests or transactions, in microseconds.
client_us_per() { awk -v n="$2" '{ printf "%.1f", $1 / n }' "$1"; }

# wrk_cpu API_PID OUT WRK-ARGS...: runs wrk; prints "requests/s API-us DB-us wrk-us" (CPU per request of the API, the
# database server and wrk itself); fails on any non-2xx.
wrk_cpu() {
  local pid=$1 out=$2; shift 2
  local api0 db0 api1 db1 requests non_2xx
  api0=$(process_ticks "$pid"); db0=$(server_ticks)
  client_cpu "$out.cpu" wrk "$@" >"$out"
  api1=$(process_ticks "$pid"); db1=$(server_ticks)
  non_2xx=$(awk '/Non-2xx/ { print $NF }' "$out")
  [ -z "$non_2xx" ] || { echo "wrk $* answered $non_2xx non-2xx responses" >&2; cat "$out" >&2; return 1; }
  requests=$(awk '/requests in/ { print $1 }' "$out")
  echo "$(awk '/^Requests\/sec:/ { print $2 }' "$out") $(us_per $((api1 - api0)) "$requests") $(us_per $((db1 - db0)) "$requests")" \
    "$(client_us_per "$out.cpu" "$requests")"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
