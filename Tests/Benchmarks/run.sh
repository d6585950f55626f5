#!/usr/bin/env bash
# `make bench`: throughput and latency of the release build through its real HTTP stack, measured by wrk
# on loopback. Not a test: nothing here passes or fails on speed. It does fail when the seats booked in
# the database disagree with the 201s wrk counted, or when `check` finds the database broken.
#
# Every scenario runs right after a run of GET /health/live (the HTTP stack alone, no database) of the same
# length, and is reported as a ratio of it: absolute figures on a shared machine drift from run to run.
# Bookings come from 64 different users. Then the same on a database of BENCH_LARGE_EVENTS events and
# BENCH_LARGE_BOOKINGS bookings (100,000 and 1,000,000; BENCH_LARGE_EVENTS=0 skips it).
#   BENCH_DURATION (default 10s), BENCH_CONNECTIONS (64), BENCH_MANY_CONNECTIONS (256), DATABASE_SYNCHRONOUS (FULL).
# The figures go to stdout and to .build/bench/results.md; README's "Benchmarks" section keeps a run.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-64}
many_connections=${BENCH_MANY_CONNECTIONS:-256}
large_events=${BENCH_LARGE_EVENTS:-100000}
large_bookings=${BENCH_LARGE_BOOKINGS:-1000000}
work=.build/bench
mkdir -p "$work"

# The defaults of a deployment (synchronous=FULL, every confirmation mail through the outbox), quiet logs.
export MAIL_TRANSPORT=log LOG_LEVEL=warning
# A rush from 64 users is far past the per-user and per-address limits a deployment keeps: they are set
# out of the benchmark's way (the login flood then measures bounded hashing, its worst case).
export RATE_LIMIT_AUTH_PER_IP=off RATE_LIMIT_LOGIN_PER_ACCOUNT=off RATE_LIMIT_BOOKINGS_PER_USER=off
source Tests/seeded-server.sh
build_release
start_seeded_server "$binary" "$work/server.log"

# 64 bookers.
BENCH_TOKENS=$(bench_tokens 64)
export BENCH_TOKENS
BENCH_USER_IDS=$(sql "SELECT group_concat(id) FROM (SELECT id FROM users WHERE email LIKE 'bench%@example.com' ORDER BY CAST(substr(email, 6) AS INTEGER))")
export BENCH_USER_IDS
organizer=$(login organizer@example.com Organizer123!)
# Events with room for every request (an event has at most 1,000,000 seats, and three 10-second rushes can
# take 400,000): a hot event for each phase of rushes, and 50 for the spread run, in a row of ids.
new_event() { bench_event "$organizer"; }
hot_event=$(new_event)
hot_event_many=$(new_event)
hot_event_flood=$(new_event)
hot_event_large=$(new_event)
spread_first=$(new_event)
for _ in $(seq 49); do new_event > /dev/null; done
# Its own event, after the range the bookings' count below covers: its seats are held, then booked.
hold_event=$(new_event)

results="$work/results.md"
{
    echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GiB," \
        "$(swift --version 2>&1 | head -1 | sed 's/ (.*//'), release build, synchronous=${DATABASE_SYNCHRONOUS:-FULL}," \
        "wrk (2 threads) for $duration per run on the same machine"
    echo
    echo "| database | scenario | connections | requests/s | /health/live requests/s | ratio | p50 | p99 | non-2xx | max RSS |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
} > "$results"

confirmed=0
# Requests not answered 2xx over every run: a refused booking means an event ran out of seats or a fault.
refused=0
# wrk_run CONNECTIONS WRK-ARGS...: one wrk run; sets rps, p50, p99, non2xx, ok and max_rss (MB, sampled every 0.2 s).
wrk_run() {
    local conns=$1 output="$work/wrk.txt" sampler
    shift
    : > "$work/rss.txt"
    (while kill -0 "$server" 2>/dev/null; do ps -o rss= -p "$server" >> "$work/rss.txt"; sleep 0.2; done) &
    sampler=$!
    wrk --threads 2 --connections "$conns" --duration "$duration" --latency "$@" > "$output"
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    local total
    total=$(awk '/requests in/ {print $1}' "$output")
    rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$output")
    p50=$(awk '$1 == "50%" {print $2}' "$output")
    p99=$(awk '$1 == "99%" {print $2}' "$output")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$output")
    non2xx=${non2xx:-0}
    refused=$((refused + non2xx))
    ok=$((total - non2xx))
    max_rss=$(sort -n "$work/rss.txt" | tail -1 | awk '{printf "%.0f MB", $1 / 1024}')
    cat "$output"
}

# scenario_run ROWS DATABASE NAME CONNECTIONS RUN WRK-ARGS...: /health/live, then the scenario once; appends its
# table row to the file ROWS, after its p99 and a tab. Sets ok (its 2xx).
scenario_run() {
    local rows=$1 database=$2 name=$3 conns=$4 run=$5 live ratio
    shift 5
    echo "== $database: GET /health/live, $conns connections"
    wrk_run "$conns" "$base/health/live"
    live=$rps
    echo "== $database: $name, $conns connections, run $run"
    wrk_run "$conns" "$@"
    ratio=$(python3 -c "print(f'{$rps / $live:.0%}')")
    echo "$p99"$'\t'"| $database | $name | $conns | $rps | $live | $ratio | $p50 | $p99 | $non2xx | $max_rss |" >> "$rows"
}

# median_row ROWS: the row of ROWS with the median p99 (wrk writes 850.00us, 14.23ms, 1.20s), into the results.
median_row() {
    python3 -c '
import sys
unit = {"us": 1e-3, "ms": 1.0, "s": 1e3}
def ms(text):
    number = text.rstrip("mus")
    return float(number) * unit[text[len(number):]]
rows = sorted((line.split("\t", 1) for line in open(sys.argv[1]).read().splitlines()), key=lambda row: ms(row[0]))
print(rows[len(rows) // 2][1].strip())' "$1" >> "$results"
}

# scenario DATABASE NAME CONNECTIONS WRK-ARGS...: /health/live, then the scenario, as one table row. Sets ok (the
# 2xx of every run) and runs. With REPEAT=N set, the pair runs N times and the row is the run with the median
# p99: for the scenarios compared with each other (on the seeded and the large database), where one run's p99 of
# a few milliseconds moves by a third from run to run on this machine.
scenario() {
    local database=$1 name=$2 conns=$3 repeat=${REPEAT:-1} ok_runs=0 run rows="$work/rows.txt"
    shift 3
    if [ "$repeat" -gt 1 ]; then name="$name (median p99 of $repeat runs)"; fi
    : > "$rows"
    for run in $(seq "$repeat"); do
        scenario_run "$rows" "$database" "$name" "$conns" "$run" "$@"
        ok_runs=$((ok_runs + ok))
    done
    ok=$ok_runs runs=$repeat
    median_row "$rows"
}

booking_runs=0
# hot EVENT DATABASE NAME CONNECTIONS: the rush on one event.
hot() {
    local event=$1
    shift
    BENCH_EVENT_FIRST=$event BENCH_EVENT_COUNT=1 scenario "$@" --script Tests/Benchmarks/booking.lua "$base/bookings"
    confirmed=$((confirmed + ok)) booking_runs=$((booking_runs + runs))
}
# hot_and_spread EVENT DATABASE CONNECTIONS: the rush on one event and the rush spread over 50, in turns (who goes
# first alternates), three times each, as two rows of the median p99: they are compared with each other, and the
# machine's speed drifts over minutes, which would fall on one of them alone if each ran three times in a row.
hot_and_spread() {
    local event=$1 database=$2 conns=$3 run kind
    local hot_name="POST /bookings, one hot event, 64 users (median p99 of 3 runs, in turns with the spread rush)"
    local spread_name="POST /bookings, spread over 50 events, 64 users (median p99 of 3 runs, in turns with the hot rush)"
    : > "$work/hot-rows.txt"
    : > "$work/spread-rows.txt"
    for run in 1 2 3; do
        for kind in $([ "$run" = 2 ] && echo spread hot || echo hot spread); do
            if [ "$kind" = hot ]; then
                BENCH_EVENT_FIRST=$event BENCH_EVENT_COUNT=1 scenario_run "$work/hot-rows.txt" "$database" "$hot_name" "$conns" "$run" \
                    --script Tests/Benchmarks/booking.lua "$base/bookings"
            else
                BENCH_EVENT_FIRST=$spread_first BENCH_EVENT_COUNT=50 scenario_run "$work/spread-rows.txt" "$database" "$spread_name" "$conns" \
                    "$run" --script Tests/Benchmarks/booking.lua "$base/bookings"
            fi
            confirmed=$((confirmed + ok)) booking_runs=$((booking_runs + 1))
        done
    done
    median_row "$work/hot-rows.txt"
    median_row "$work/spread-rows.txt"
}
# flooded DATABASE NAME: /health/live, then the hot-event rush while 64 more connections send wrong-password
# logins (each a password hash, or a 503 BUSY once every hashing place is taken), as one table row.
flooded() {
    local database=$1 name=$2 output="$work/flood.txt"
    echo "== $database: GET /health/live, $connections connections"
    wrk_run "$connections" "$base/health/live"
    local live=$rps
    wrk --threads 1 --connections 64 --duration "$((${duration%s} + 2))s" --script Tests/Benchmarks/login.lua "$base/auth/login" > "$output" &
    local flooder=$!
    sleep 1
    echo "== $database: $name, $connections connections"
    BENCH_EVENT_FIRST=$hot_event_flood BENCH_EVENT_COUNT=1 wrk_run "$connections" --script Tests/Benchmarks/booking.lua "$base/bookings"
    confirmed=$((confirmed + ok)) booking_runs=$((booking_runs + 1))
    wait "$flooder" || true
    local logins
    logins=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$output")
    echo "== the flood: $logins logins/s, $(awk '/Non-2xx/ {print $NF}' "$output") refused"
    local ratio
    ratio=$(python3 -c "print(f'{$rps / $live:.0%}')")
    echo "| $database | $name ($logins wrong logins/s) | $connections | $rps | $live | $ratio | $p50 | $p99 | $non2xx | $max_rss |" >> "$results"
}

# The scenarios whose latency the large database is compared on run three times on both databases (as do the
# hot and the spread rush, which are compared with each other: hot_and_spread).
reads() {
    REPEAT=3 scenario "$1" "GET /events/:id" "$connections" "$base/events/$hot_event"
    scenario "$1" "GET /auth/me" "$connections" --script Tests/Benchmarks/authenticated.lua "$base/auth/me"
    REPEAT=3 scenario "$1" "GET /events?limit=10" "$connections" "$base/events?page=1&limit=10"
}

small="seeded ($(sql 'SELECT COUNT(*) FROM events') events)"
scenario "$small" "GET /health (one O(1) read)" "$connections" "$base/health"
reads "$small"
hot_and_spread "$hot_event" "$small" "$connections"
hot "$hot_event_many" "$small" "POST /bookings, one hot event, 64 users" "$many_connections"
BENCH_EVENT_FIRST=$hold_event scenario "$small" "POST /holds, then POST /holds/:ref/confirm (2 requests a booking), one hot event, 64 users" \
    "$connections" --script Tests/Benchmarks/hold-confirm.lua "$base/holds"
echo "== holds then confirms: $(sql "SELECT COUNT(*) FROM bookings WHERE event_id = $hold_event") bookings from $(sql "SELECT COUNT(*) FROM holds WHERE event_id = $hold_event") holds"
flooded "$small" "POST /bookings, one hot event, 64 users + 64 connections of wrong-password logins"
scenario "$small, after $(sql "SELECT COUNT(*) FROM bookings") bookings" "GET /health (one O(1) read)" "$connections" "$base/health"

if [ "$large_events" -gt 0 ]; then
    kill "$server"; wait "$server" 2>/dev/null || true
    python3 Tests/Benchmarks/prefill.py "$DATABASE_PATH" "$large_events" "$large_bookings"
    # The prefill leaves a few hundred MB of dirty pages that the kernel writes back over the next half minute,
    # which took CPU and disk from the first runs on the large database: they are written first.
    sync
    "$binary" serve --env-file "$data/no.env" >> "$work/server.log" 2>&1 &
    server=$!
    for _ in $(seq 100); do curl -sf "$base/health/ready" > /dev/null && break; sleep 0.2; done
    large="$(sql 'SELECT COUNT(*) FROM events') events, $(sql 'SELECT COUNT(*) FROM bookings') bookings"
    reads "$large"
    REPEAT=3 hot "$hot_event_large" "$large" "POST /bookings, one hot event, 64 users" "$connections"
    scenario "$large" "GET /health (one O(1) read)" "$connections" "$base/health"
fi

kill "$server"; wait "$server" 2>/dev/null || true
echo
cat "$results"
echo
# Every 2xx wrk counted is a booked seat. A request still in flight when wrk stopped may have been booked
# without being counted, so the database may hold up to one more seat per connection and run, never fewer.
booked=$(sql "SELECT COALESCE(SUM(seat_count), 0) FROM bookings WHERE status = 'CONFIRMED' AND event_id >= $hot_event AND event_id < $spread_first + 50")
slack=$((booking_runs * many_connections))
echo "bookings answered 2xx: $confirmed; seats booked in the database: $booked (at most $slack more allowed: requests in flight)"
if [ "$booked" -lt "$confirmed" ] || [ "$booked" -gt $((confirmed + slack)) ]; then
    echo "MISMATCH: the database and the answers disagree"
    exit 1
fi
if [ "$refused" -gt 0 ]; then
    echo "REFUSED: $refused requests were not answered 2xx (an event without room left, or a fault)"
    exit 1
fi
"$binary" check --env-file "$data/no.env"
