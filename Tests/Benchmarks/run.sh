#!/usr/bin/env bash
# `make bench`: throughput and latency of the release build through its real HTTP stack, measured by wrk
# on loopback. Not a test: nothing here passes or fails on speed. It does fail when the seats booked in
# the database disagree with the 201s wrk counted, or when `check` finds the database broken.
#   BENCH_DURATION (default 15s), BENCH_CONNECTIONS (64), DATABASE_SYNCHRONOUS (FULL) tune it.
# The figures go to stdout and to .build/bench/results.md; README's "Benchmarks" section keeps a run.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${BENCH_DURATION:-15s}
connections=${BENCH_CONNECTIONS:-64}
work=.build/bench
mkdir -p "$work"

swift build -c release --product event-booking
binary="$(swift build -c release --show-bin-path)/event-booking"
export MAIL_TRANSPORT=log LOG_LEVEL=warning
source Tests/seeded-server.sh
start_seeded_server "$binary" "$work/server.log"

json() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }
login() { curl -sf -X POST "$base/auth/login" -H 'Content-Type: application/json' -d "{\"email\": \"$1\", \"password\": \"$2\"}" | json '["accessToken"]'; }
organizer=$(login organizer@example.com Organizer123!)
booker=$(login alice@example.com Password123!)
# Eight events with room for every request; the first takes the single-event run, the other seven the spread one.
first_event=""
for _ in $(seq 8); do
    id=$(curl -sf -X POST "$base/events" -H "Authorization: Bearer $organizer" -H 'Content-Type: application/json' \
        -d '{"title": "Benchmark", "totalSeats": 1000000, "status": "PUBLISHED", "eventDate": "2099-01-01T00:00:00Z"}' | json '["id"]')
    first_event=${first_event:-$id}
done

results="$work/results.md"
{
    echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GiB," \
        "$(swift --version 2>&1 | head -1 | sed 's/ (.*//'), synchronous=${DATABASE_SYNCHRONOUS:-FULL}, wrk with $connections connections for $duration on the same machine"
    echo
    echo "| scenario | requests/s | p50 | p99 | non-2xx |"
    echo "|---|---|---|---|---|"
} > "$results"

# scenario NAME WRK-ARGS...: one wrk run, one table row.
scenario() {
    local name=$1 output="$work/wrk.txt"
    shift
    wrk --threads 2 --connections "$connections" --duration "$duration" --latency "$@" > "$output"
    local rps p50 p99 non2xx total
    total=$(awk '/requests in/ {print $1}' "$output")
    rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$output")
    p50=$(awk '$1 == "50%" {print $2}' "$output")
    p99=$(awk '$1 == "99%" {print $2}' "$output")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$output")
    last_ok=$((total - ${non2xx:-0}))
    echo "| $name | $rps | $p50 | $p99 | ${non2xx:-0} |" >> "$results"
    echo "== $name"
    cat "$output"
}

scenario "GET /health (the HTTP stack alone)" "$base/health"
scenario "GET /events?limit=10 (a page with organizers)" "$base/events?page=1&limit=10"
BENCH_TOKEN=$booker BENCH_EVENT_FIRST=$first_event BENCH_EVENT_COUNT=1 \
    scenario "POST /bookings, all on one event (every request races one version guard)" --script Tests/Benchmarks/booking.lua "$base/bookings"
confirmed=$last_ok
BENCH_TOKEN=$booker BENCH_EVENT_FIRST=$((first_event + 1)) BENCH_EVENT_COUNT=7 \
    scenario "POST /bookings, spread over seven events" --script Tests/Benchmarks/booking.lua "$base/bookings"
confirmed=$((confirmed + last_ok))

kill $server; wait $server 2>/dev/null || true
echo
cat "$results"
echo
# Every 2xx wrk counted is a booked seat. A request still in flight when wrk stopped may have been booked
# without being counted, so the database may hold up to one more seat per connection and run, never fewer.
booked=$(python3 -c "
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(\"SELECT COALESCE(SUM(seat_count), 0) FROM bookings WHERE status = 'CONFIRMED'\").fetchone()[0])
" "$DATABASE_PATH")
echo "bookings answered 2xx: $confirmed; seats booked in the database: $booked"
if [ "$booked" -lt "$confirmed" ] || [ "$booked" -gt $((confirmed + 2 * connections)) ]; then
    echo "MISMATCH: the database and the answers disagree"
    exit 1
fi
"$binary" check --env-file "$data/no.env"
