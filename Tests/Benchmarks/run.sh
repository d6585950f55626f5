#!/usr/bin/env bash
# `make bench`: throughput and latency of the release build through its real HTTP stack, measured by wrk
# on loopback. Not a test: nothing here passes or fails on speed. It does fail when the seats booked in
# the database disagree with the 201s wrk counted, or when `check` finds the database broken.
#
# Every scenario runs between two runs of GET /health/live (the HTTP stack alone, no database) of the same length,
# and is reported as a ratio of their mean: absolute figures on a shared machine drift from run to run, and within
# minutes too.
# Bookings come from 64 different users. Then the reads and the hot rush on the same database prefilled with
# BENCH_LARGE_EVENTS events and BENCH_LARGE_BOOKINGS bookings more (100,000 and 1,000,000; BENCH_LARGE_EVENTS=0
# skips it and runs the reads on the seeded database), in turns with a freshly seeded server beside it.
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

source Tests/seeded-server.sh
use_load_settings
build_release
start_seeded_server "$binary" "$work/server.log"

# 64 bookers.
BENCH_TOKENS=$(bench_tokens 64)
export BENCH_TOKENS
BENCH_USER_IDS=$(sql "SELECT group_concat(id) FROM (SELECT id FROM users WHERE email LIKE 'bench%@example.com' ORDER BY CAST(substr(email, 6) AS INTEGER))")
export BENCH_USER_IDS
organizer=$(login organizer@example.com Organizer123!)
# Events with room for every request (an event has at most 1,000,000 seats; four 10-second rushes take 800,000 at
# 20,000 bookings/s, more than this machine has done): a hot event for each phase of rushes, and 50 for the spread
# run, in a row of ids.
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
# Lines that follow the table.
: > "$work/notes.md"
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
# The rate of the /health/live run that came right before the next run, at live_connections on the server at
# live_base; empty after any other run.
live_before="" live_connections="" live_base=""
# wrk_run CONNECTIONS WRK-ARGS...: one wrk run; sets rps, p50, p99, non2xx, ok and max_rss (MB, sampled every 0.2 s).
wrk_run() {
    local conns=$1 output="$work/wrk.txt" sampler
    shift
    live_before=""
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
    max_rss=$(sort -n "$work/rss.txt" | tail -1 | awk '{printf "%.0f", $1 / 1024}')
    cat "$output"
}

# live_run DATABASE CONNECTIONS: a run of GET /health/live (the HTTP stack alone); sets live_before.
live_run() {
    echo "== $1: GET /health/live, $2 connections"
    wrk_run "$2" "$base/health/live"
    live_before=$rps live_connections=$2 live_base=$base
}

# scenario_run ROWS DATABASE NAME CONNECTIONS RUN WRK-ARGS...: the scenario once, between two runs of /health/live
# (the one before is the last run's one after, when that came right before): its /health/live rate is the mean of
# the two, so that the machine's drift over the minutes of a run falls on both sides of the ratio alike. Appends a
# line of tab-separated figures to ROWS (see summary_row). Sets ok (its 2xx).
scenario_run() {
    local rows=$1 database=$2 name=$3 conns=$4 run=$5 before
    shift 5
    if [ -z "$live_before" ] || [ "$live_connections" != "$conns" ] || [ "$live_base" != "$base" ]; then
        live_run "$database" "$conns"
    fi
    before=$live_before
    echo "== $database: $name, $conns connections, run $run"
    wrk_run "$conns" "$@"
    local line="$p99"$'\t'"$rps"$'\t'"$p50"$'\t'"$non2xx"$'\t'"$max_rss" scenario_ok=$ok
    live_run "$database" "$conns"
    echo "$line"$'\t'"$(((before + live_before) / 2))" >> "$rows"
    ok=$scenario_ok
}

# seats_match DATABASE BOOKED CONFIRMED SLACK: fails unless the seats BOOKED in DATABASE's rushed events match the
# CONFIRMED 2xx wrk counted. A request still in flight when wrk stopped may have been booked without being counted,
# so the database may hold up to SLACK (one per connection and run) more, never fewer.
seats_match() {
    echo "$1: bookings answered 2xx: $3; seats booked in the database: $2 (at most $4 more allowed: requests in flight)"
    if [ "$2" -lt "$3" ] || [ "$2" -gt $(($3 + $4)) ]; then
        echo "MISMATCH: $1 and the answers disagree"
        exit 1
    fi
}

# summary_row ROWS DATABASE NAME CONNECTIONS [HOW]: the runs in ROWS (run HOW, when given) as one row of the
# results. Requests/s and /health/live's are the means over the runs, and the ratio theirs; p50 and p99 are those
# of the run with the median p99, the higher of the middle two of an even count (wrk writes 850.00us, 14.23ms,
# 1.20s): one run's p99 of a few milliseconds moves by a third from run to run on this machine. Non-2xx is the sum,
# RSS the highest.
summary_row() {
    python3 -c '
import sys
rows_file, database, name, conns, how = (sys.argv[1:] + [""])[:5]
unit = {"us": 1e-3, "ms": 1.0, "s": 1e3}
def ms(text):
    number = text.rstrip("mus")
    return float(number) * unit[text[len(number):]]
runs = [line.split("\t") for line in open(rows_file).read().splitlines()]
rate = sum(int(run[1]) for run in runs) / len(runs)
live = sum(int(run[5]) for run in runs) / len(runs)
median = sorted(runs, key=lambda run: ms(run[0]))[len(runs) // 2]
if len(runs) > 1:
    how = " " + how if how else ""
    name += f" ({len(runs)} runs{how}: mean rates, median p99)"
print(f"| {database} | {name} | {conns} | {rate:.0f} | {live:.0f} | {rate / live:.0%} | {median[2]} | {median[0]} |"
      f" {sum(int(run[3]) for run in runs)} | {max(int(run[4]) for run in runs)} MB |")' "$@" >> "$results"
}

# scenario DATABASE NAME CONNECTIONS WRK-ARGS...: the scenario as one row (scenario_run). Sets ok (the 2xx of every
# run) and runs. With REPEAT=N set, it runs N times: for the scenarios compared with each other.
scenario() {
    local database=$1 name=$2 conns=$3 repeat=${REPEAT:-1} ok_runs=0 run rows="$work/rows.txt"
    shift 3
    : > "$rows"
    for run in $(seq "$repeat"); do
        scenario_run "$rows" "$database" "$name" "$conns" "$run" "$@"
        ok_runs=$((ok_runs + ok))
    done
    ok=$ok_runs runs=$repeat
    summary_row "$rows" "$database" "$name" "$conns"
}

booking_runs=0
# hot EVENT DATABASE NAME CONNECTIONS: the rush on one event.
hot() {
    local event=$1
    shift
    BENCH_EVENT_FIRST=$event BENCH_EVENT_COUNT=1 scenario "$@" --script Tests/Benchmarks/booking.lua "$base/bookings"
    confirmed=$((confirmed + ok)) booking_runs=$((booking_runs + runs))
}
# hot_and_spread EVENT DATABASE CONNECTIONS: the rush on one event and the rush spread over 50, in turns, four times
# each, as two rows: they are compared with each other, and the machine's speed drifts over minutes, which would
# fall on one of them alone if each ran four times in a row. Who goes first alternates, so each goes first twice
# and their places in the sequence add up the same (1, 4, 5, 8 against 2, 3, 6, 7). (With three turns one went
# first twice, and the rush that went first in its turn had the higher rate in five of the six turns of two runs.)
# Then the spread rush's rate against the hot one's, in each turn (the two runs next to each other).
hot_and_spread() {
    local event=$1 database=$2 conns=$3 run kind
    local hot_name="POST /bookings, one hot event, 64 users" spread_name="POST /bookings, spread over 50 events, 64 users"
    : > "$work/hot-rows.txt"
    : > "$work/spread-rows.txt"
    for run in 1 2 3 4; do
        for kind in $([ $((run % 2)) = 0 ] && echo spread hot || echo hot spread); do
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
    summary_row "$work/hot-rows.txt" "$database" "$hot_name" "$conns" "in turns with the spread rush"
    summary_row "$work/spread-rows.txt" "$database" "$spread_name" "$conns" "in turns with the hot rush"
    python3 -c '
import sys
rates = [[int(line.split("\t")[1]) for line in open(name).read().splitlines()] for name in sys.argv[1:]]
turns = [spread / hot for hot, spread in zip(*rates)]
print(f"Spread over 50 events against one hot event, bookings/s in each turn: "
      + ", ".join(f"{spread:,} against {hot:,} ({turn:.2f}x)" for hot, spread, turn in zip(*rates, turns))
      + f"; {sum(turns) / len(turns):.2f}x on average.")' "$work/hot-rows.txt" "$work/spread-rows.txt" >> "$work/notes.md"
}
# flooded DATABASE NAME: the hot-event rush while 64 more connections send wrong-password logins (each a password
# hash, or a 503 BUSY once every hashing place is taken), between two runs of /health/live, as one table row.
flooded() {
    local database=$1 name=$2 output="$work/flood.txt" rows="$work/rows.txt"
    live_run "$database" "$connections"
    local before=$live_before
    wrk --threads 1 --connections 64 --duration "$((${duration%s} + 2))s" --script Tests/Benchmarks/login.lua "$base/auth/login" > "$output" &
    local flooder=$!
    sleep 1
    echo "== $database: $name, $connections connections"
    BENCH_EVENT_FIRST=$hot_event_flood BENCH_EVENT_COUNT=1 wrk_run "$connections" --script Tests/Benchmarks/booking.lua "$base/bookings"
    confirmed=$((confirmed + ok)) booking_runs=$((booking_runs + 1))
    local line="$p99"$'\t'"$rps"$'\t'"$p50"$'\t'"$non2xx"$'\t'"$max_rss"
    wait "$flooder" || true
    local logins
    logins=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$output")
    echo "== the flood: $logins logins/s, $(awk '/Non-2xx/ {print $NF}' "$output") refused"
    live_run "$database" "$connections"
    echo "$line"$'\t'"$(((before + live_before) / 2))" > "$rows"
    summary_row "$rows" "$database" "$name ($logins wrong logins/s)" "$connections"
}

# The scenarios whose latency the large database is compared on, four times each but /auth/me (as are the hot
# and the spread rush, which are compared with each other: hot_and_spread).
reads() {
    REPEAT=4 scenario "$1" "GET /events/:id" "$connections" "$base/events/$hot_event"
    scenario "$1" "GET /auth/me" "$connections" --script Tests/Benchmarks/authenticated.lua "$base/auth/me"
    REPEAT=4 scenario "$1" "GET /events?limit=10" "$connections" "$base/events?page=1&limit=10"
}

small="seeded ($(sql 'SELECT COUNT(*) FROM events') events)"
scenario "$small" "GET /health (one O(1) read)" "$connections" "$base/health"
# With the large database, the reads run on it and on an empty one side by side (below).
if [ "$large_events" -eq 0 ]; then reads "$small"; fi
hot_and_spread "$hot_event" "$small" "$connections"
hot "$hot_event_many" "$small" "POST /bookings, one hot event, 64 users" "$many_connections"
BENCH_EVENT_FIRST=$hold_event scenario "$small" "POST /holds, then POST /holds/:ref/confirm (2 requests a booking), one hot event, 64 users" \
    "$connections" --script Tests/Benchmarks/hold-confirm.lua "$base/holds"
echo "== holds then confirms: $(sql "SELECT COUNT(*) FROM bookings WHERE event_id = $hold_event") bookings from $(sql "SELECT COUNT(*) FROM holds WHERE event_id = $hold_event") holds"
flooded "$small" "POST /bookings, one hot event, 64 users + 64 connections of wrong-password logins"
scenario "$small, after $(sql "SELECT COUNT(*) FROM bookings") bookings" "GET /health (one O(1) read)" "$connections" "$base/health"

# The large database next to an empty one: this server's database, prefilled, and a freshly seeded server beside
# it, each with its own bench users and hot event. Their scenarios run in turns (who goes first alternates), so
# that the machine's drift over the minutes falls on both alike.
declare -A server_base server_pid server_database server_data server_tokens server_event server_label
# keep_server NAME LABEL EVENT: remembers the current server (its $base, $server, database, tokens) as NAME.
keep_server() {
    server_base[$1]=$base server_pid[$1]=$server server_database[$1]=$DATABASE_PATH server_data[$1]=$data
    server_tokens[$1]=$BENCH_TOKENS server_event[$1]=$3 server_label[$1]=$2
}
# use_server NAME: makes NAME the current server.
use_server() {
    base=${server_base[$1]} server=${server_pid[$1]} DATABASE_PATH=${server_database[$1]} data=${server_data[$1]}
    BENCH_TOKENS=${server_tokens[$1]}
}
# in_turns KIND NAME REPEAT: the scenario KIND (page, me, list or hot) on the empty and the large server in turns,
# REPEAT times on each, as a row for each. Who goes first alternates: with an even REPEAT each goes first as often.
in_turns() {
    local kind=$1 name=$2 repeat=$3 run who
    : > "$work/rows-empty.txt"
    : > "$work/rows-large.txt"
    for run in $(seq "$repeat"); do
        for who in $([ $((run % 2)) = 1 ] && echo empty large || echo large empty); do
            use_server "$who"
            case $kind in
                page) scenario_run "$work/rows-$who.txt" "${server_label[$who]}" "$name" "$connections" "$run" "$base/events/${server_event[$who]}" ;;
                me) scenario_run "$work/rows-$who.txt" "${server_label[$who]}" "$name" "$connections" "$run" \
                    --script Tests/Benchmarks/authenticated.lua "$base/auth/me" ;;
                list) scenario_run "$work/rows-$who.txt" "${server_label[$who]}" "$name" "$connections" "$run" "$base/events?page=1&limit=10" ;;
                hot)
                    BENCH_EVENT_FIRST=${server_event[$who]} BENCH_EVENT_COUNT=1 scenario_run "$work/rows-$who.txt" "${server_label[$who]}" \
                        "$name" "$connections" "$run" --script Tests/Benchmarks/booking.lua "$base/bookings"
                    if [ "$who" = large ]; then
                        confirmed=$((confirmed + ok)) booking_runs=$((booking_runs + 1))
                    else
                        empty_confirmed=$((empty_confirmed + ok)) empty_runs=$((empty_runs + 1))
                    fi ;;
            esac
        done
    done
    summary_row "$work/rows-empty.txt" "${server_label[empty]}" "$name" "$connections" "in turns with the large database"
    summary_row "$work/rows-large.txt" "${server_label[large]}" "$name" "$connections" "in turns with the empty one"
}

if [ "$large_events" -gt 0 ]; then
    kill "$server"; wait "$server" 2>/dev/null || true
    python3 Tests/Benchmarks/prefill.py "$DATABASE_PATH" "$large_events" "$large_bookings"
    # The prefill leaves a few hundred MB of dirty pages that the kernel writes back over the next half minute,
    # which took CPU and disk from the first runs on the large database: they are written first.
    sync
    "$binary" serve --env-file "$data/no.env" >> "$work/server.log" 2>&1 &
    server=$!
    for _ in $(seq 100); do curl -sf "$base/health/ready" > /dev/null && break; sleep 0.2; done
    keep_server large "$(sql 'SELECT COUNT(*) FROM events') events, $(sql 'SELECT COUNT(*) FROM bookings') bookings" "$hot_event_large"
    # The page the reads open is the large database's hot event before its rush, as on the empty one.
    start_seeded_server "$binary" "$work/server-empty.log"
    trap 'kill ${server_pid[large]} ${server_pid[empty]:-} 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "${server_data[large]}" "${server_data[empty]:-}"' EXIT
    BENCH_TOKENS=$(bench_tokens 64)
    organizer=$(login organizer@example.com Organizer123!)
    empty_event=$(bench_event "$organizer")
    # As many events as the seeded database had before its rushes, so that the list's page is as full on both.
    for _ in $(seq $((hold_event - hot_event))); do bench_event "$organizer" > /dev/null; done
    keep_server empty "empty (seeded, $(sql 'SELECT COUNT(*) FROM events') events, $(sql 'SELECT COUNT(*) FROM bookings') bookings)" "$empty_event"
    empty_confirmed=0 empty_runs=0
    in_turns page "GET /events/:id" 4
    in_turns me "GET /auth/me" 1
    in_turns list "GET /events?limit=10" 4
    in_turns hot "POST /bookings, one hot event, 64 users" 4
    use_server large
    scenario "${server_label[large]}" "GET /health (one O(1) read)" "$connections" "$base/health"
    use_server empty
    seats_match "the empty database" "$(sql "SELECT COALESCE(SUM(seat_count), 0) FROM bookings WHERE status = 'CONFIRMED' AND event_id = $empty_event")" \
        "$empty_confirmed" $((empty_runs * connections))
    kill "$server"; wait "$server" 2>/dev/null || true
    "$binary" check --env-file "$data/no.env"
    use_server large
fi

kill "$server"; wait "$server" 2>/dev/null || true
{ echo; cat "$work/notes.md"; } >> "$results"
echo
cat "$results"
echo
# The seeded (and large) database: every phase's hot event and the spread events; slack counted at the most
# connections any run had.
seats_match "the seeded database" \
    "$(sql "SELECT COALESCE(SUM(seat_count), 0) FROM bookings WHERE status = 'CONFIRMED' AND event_id >= $hot_event AND event_id < $spread_first + 50")" \
    "$confirmed" $((booking_runs * many_connections))
if [ "$refused" -gt 0 ]; then
    echo "REFUSED: $refused requests were not answered 2xx (an event without room left, or a fault)"
    exit 1
fi
"$binary" check --env-file "$data/no.env"
