#!/usr/bin/env bash
# Two builds of the Sales API side by side, on one fresh server with the same 1M orders, measured in alternating wrk runs:
# the CPU time per request of each (and of the database behind it) for GET /orders/{id} and the first rows page.
# On a shared, noisy machine a change's effect shows only this way: two separate runs of bench/api.sh move further
# apart than most changes do, while two builds measured a few seconds apart see the same machine.
# Usage: bench/api-ab.sh REF_A REF_B [SCALE]     e.g. bench/api-ab.sh HEAD~1 HEAD    (SCALE default 50000 = 1M orders)
# Needs what bench/api.sh needs. Each ref is built from a temporary git worktree; the data comes from REF_B's migrations.
set -euo pipefail

ref_a=${1:?usage: bench/api-ab.sh REF_A REF_B [SCALE]}
ref_b=${2:?usage: bench/api-ab.sh REF_A REF_B [SCALE]}
scale=${3:-50000}
repo=$(cd "$(dirname "$0")/.." && pwd)
pg_port=${BENCH_PG_PORT:-55455}
port_a=${BENCH_API_PORT:-55456}
port_b=$((port_a + 1))
duration=${BENCH_DURATION:-10}
rounds=${BENCH_ROUNDS:-5}
connections=${BENCH_CONNECTIONS:-32}
warmup=${BENCH_WARMUP:-45} # seconds of GET /orders/{id} per API before the runs; under half of it on the rows page
work=$(mktemp -d /tmp/datameesh-bench-ab.XXXXXX)
builds=$(mktemp -d /tmp/datameesh-bench-ab-builds.XXXXXX)
# shellcheck source=bench/lib/sales-api.sh
. "$repo/bench/lib/sales-api.sh"
cleanup() {
  bench_cleanup
  for side in a b; do git -C "$repo" worktree remove --force "$builds/$side" 2>/dev/null || true; done
  rm -rf "$builds"
}
trap cleanup EXIT

for side in a b; do
  ref=$([ "$side" = a ] && echo "$ref_a" || echo "$ref_b")
  echo "building $ref (Release)..."
  git -C "$repo" worktree add -q --detach "$builds/$side" "$ref"
  dotnet build -c Release -v q -nologo "$builds/$side/DataMeesh.SalesApi" >/dev/null
done
dotnet build -c Release -v q -nologo "$builds/b/DataMeesh.Seeder" >/dev/null
dll() { echo "$builds/$1/DataMeesh.SalesApi/bin/Release/net10.0/DataMeesh.SalesApi.dll"; }

bench_start_server
echo "migrating and seeding --scale $scale (sales)..."
bench_seed_sales "$(dll b)" "$builds/b/DataMeesh.Seeder/bin/Release/net10.0/DataMeesh.Seeder.dll" "$scale"
bench_token
bench_orders_script "$work/orders.lua"
bench_start_api "$(dll a)" "$port_a" "$work/api-a.log"; pid_a=$api_pid
bench_start_api "$(dll b)" "$port_b" "$work/api-b.log"; pid_b=$api_pid
first_page="/datasets/orders/rows?limit=100"
page_of() { curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$1$first_page" | md5sum; }
[ "$(page_of "$port_a")" = "$(page_of "$port_b")" ] || echo "note: the two builds serve different first pages"
for port in "$port_a" "$port_b"; do
  # Warm-up until the tiered JIT has optimised the hot paths (bench/api.sh: ~40 s with both cores saturated).
  wrk -t2 -c"$connections" -d"${warmup}s" -s "$work/orders.lua" "http://127.0.0.1:$port" >/dev/null
  wrk -t2 -c"$connections" -d"$((warmup * 4 / 9 + 1))s" -H "Authorization: Bearer $token" "http://127.0.0.1:$port$first_page" >/dev/null
done

echo "$rounds rounds of ${duration}s runs, A and B alternating ($connections connections)..."
for round in $(seq 1 "$rounds"); do
  for endpoint in orders page; do
    for side in a b; do
      port=$([ "$side" = a ] && echo "$port_a" || echo "$port_b"); pid=$([ "$side" = a ] && echo "$pid_a" || echo "$pid_b")
      if [ "$endpoint" = orders ]; then
        result=$(wrk_cpu "$pid" "$work/wrk.txt" -t2 -c"$connections" -d"${duration}s" -s "$work/orders.lua" "http://127.0.0.1:$port")
      else
        result=$(wrk_cpu "$pid" "$work/wrk.txt" -t2 -c"$connections" -d"${duration}s" -H "Authorization: Bearer $token" "http://127.0.0.1:$port$first_page")
      fi
      echo "$endpoint $side $result" | tee -a "$work/runs.txt" | awk '{ printf "   %-6s %s  %6.0f req/s  API %5.1f us  DB %5.1f us per request\n", $1, toupper($2), $3, $4, $5 }'
    done
  done
done

side_median() { awk -v e="$1" -v s="$2" -v c="$3" '$1 == e && $2 == s { print $c }' "$work/runs.txt" | median; }
printf '\nmedians of %s rounds (A = %s, B = %s)\n' "$rounds" "$(git -C "$repo" rev-parse --short "$ref_a")" "$(git -C "$repo" rev-parse --short "$ref_b")"
for endpoint in orders page; do
  a_api=$(side_median "$endpoint" a 4); b_api=$(side_median "$endpoint" b 4)
  printf '%-6s API CPU per request A %5.1f us  B %5.1f us  B/A %.2f   DB per request A %5.1f us  B %5.1f us   req/s A %6.0f  B %6.0f\n' \
    "$endpoint" "$a_api" "$b_api" "$(awk -v a="$a_api" -v b="$b_api" 'BEGIN { print b / a }')" \
    "$(side_median "$endpoint" a 5)" "$(side_median "$endpoint" b 5)" "$(side_median "$endpoint" a 3)" "$(side_median "$endpoint" b 3)"
done
