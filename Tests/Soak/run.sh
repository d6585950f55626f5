#!/usr/bin/env bash
# `make soak`: SOAK_MINUTES (default 10) of mixed load on the release build, to show that memory stays flat
# and latency does not drift. Not part of `make test`.
#
# Two wrk runs side by side, restarted every minute:
#   - 64 connections of people (Tests/Soak/mixed.lua): booking, cancelling, listing events, reading their
#     bookings, opening event pages, as SOAK_BOOKERS users (default 1,000) over 20 events. An audience books
#     a few times each: with 64 users, each would hold 12,000 bookings after ten minutes, and reading one's
#     own list (its total is a count over the user's index range) would slow down with it;
#   - 1 connection of logins and registration codes to new addresses (Tests/Soak/auth.lua).
# After each minute it prints the minute's requests/s and latency percentiles (of the mixed run), the
# errors, and the server's RSS. It fails when RSS at the last minute is more than 10 % above minute 1 or
# the last minute's p99 is more than 1.5x minute 1's, and when `check` finds the database broken.
# The table goes to stdout and .build/soak/results.md; README's "Soak" section keeps a run.
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes=${SOAK_MINUTES:-10}
connections=${SOAK_CONNECTIONS:-64}
bookers=${SOAK_BOOKERS:-1000}
work=.build/soak
mkdir -p "$work"

source Tests/seeded-server.sh
use_load_settings
build_release
start_seeded_server "$binary" "$work/server.log"

add_bench_users "$bookers"
: > "$work/users.txt"
for n in $(seq "$bookers"); do
    token=$(login "bench$n@example.com" Password123!)
    id=$(curl -sf "$base/auth/me" -H "Authorization: Bearer $token" | json '["id"]')
    echo "$id:$token" >> "$work/users.txt"
done
organizer=$(login organizer@example.com Organizer123!)
first_event=""
for _ in $(seq 20); do
    id=$(curl -sf -X POST "$base/events" -H "Authorization: Bearer $organizer" -H 'Content-Type: application/json' \
        -d '{"title": "Soak", "totalSeats": 1000000, "status": "PUBLISHED", "eventDate": "2099-01-01T00:00:00Z"}' | json '["id"]')
    first_event=${first_event:-$id}
done
export SOAK_USERS_FILE=$work/users.txt SOAK_EVENT_FIRST=$first_event SOAK_EVENT_COUNT=20 SOAK_LOGIN_EMAIL=bench1@example.com

results="$work/results.md"
{
    echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(free -g | awk '/^Mem:/ {print $2}') GiB," \
        "$(swift --version 2>&1 | head -1 | sed 's/ (.*//'), release build, synchronous=FULL, $minutes minutes," \
        "wrk: $connections connections of mixed load from $bookers users + 1 of logins and codes"
    echo
    echo "| minute | requests/s | p50 | p90 | p99 | max | non-2xx | logins+codes/s | auth non-2xx | RSS at end | bookings in the database |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
} > "$results"

# ms VALUE: wrk's latency (e.g. 850.00us, 12.3ms, 1.2s) in milliseconds.
ms() { python3 -c "import re, sys; v, u = re.match(r'([\d.]+)(\w+)', sys.argv[1]).groups(); print(round(float(v) * {'us': 0.001, 'ms': 1, 's': 1000, 'm': 60000}[u], 2))" "$1"; }
for minute in $(seq "$minutes"); do
    wrk --threads 1 --connections 1 --duration 60s --script Tests/Soak/auth.lua "$base" > "$work/auth.txt" &
    auth=$!
    wrk --threads 2 --connections "$connections" --duration 60s --latency --script Tests/Soak/mixed.lua "$base" > "$work/mixed.txt"
    wait "$auth"
    rss=$(ps -o rss= -p "$server" | awk '{printf "%.0f", $1 / 1024}')
    rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$work/mixed.txt")
    p50=$(ms "$(awk '$1 == "50%" {print $2}' "$work/mixed.txt")")
    p90=$(ms "$(awk '$1 == "90%" {print $2}' "$work/mixed.txt")")
    p99=$(ms "$(awk '$1 == "99%" {print $2}' "$work/mixed.txt")")
    max=$(ms "$(awk '/^ *Latency/ {print $4}' "$work/mixed.txt")")
    errors=$(awk '/Non-2xx/ {print $NF}' "$work/mixed.txt")
    auth_rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$work/auth.txt")
    auth_errors=$(awk '/Non-2xx/ {print $NF}' "$work/auth.txt")
    bookings=$(sql "SELECT COUNT(*) FROM bookings")
    echo "| $minute | $rps | $p50 ms | $p90 ms | $p99 ms | $max ms | ${errors:-0} | $auth_rps | ${auth_errors:-0} | $rss MB | $bookings |" | tee -a "$results"
    [ "$minute" = 1 ] && { first_rss=$rss; first_p99=$p99; }
    last_rss=$rss
    last_p99=$p99
done

kill "$server"; wait "$server" 2>/dev/null || true
"$binary" check --env-file "$data/no.env"
verdict=$(python3 -c "
rss = $last_rss / $first_rss; p99 = $last_p99 / $first_p99
ok = rss <= 1.10 and p99 <= 1.5
print(('flat' if ok else 'DRIFT') + f': RSS at the last minute is {rss:.2f}x minute 1, p99 {p99:.2f}x')")
{ echo; echo "$verdict"; } >> "$results"
echo
cat "$results"
[[ $verdict == flat* ]]
