#!/usr/bin/env bash
# `make bench-metrics`: what counting costs the hot path. The same release binary serves a one-hot-event
# booking rush from 64 users with METRICS_ENABLED=true and =false, in turns (ROUNDS pairs, default 3, of
# BENCH_DURATION each, default 10s), each run on a fresh seeded database. It prints bookings/s per run and the
# ratio of the medians; the target is within 5 %. Not a test: nothing here passes or fails on speed.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-3}
duration=${BENCH_DURATION:-10s}
source Tests/seeded-server.sh
use_load_settings
build_release

# rush ENABLED: bookings/s of one run on a fresh server with METRICS_ENABLED=ENABLED.
rush() {
    (
        export METRICS_ENABLED=$1
        start_seeded_server "$binary" /dev/null
        tokens=$(bench_tokens 64)
        event=$(bench_event "$(login organizer@example.com Organizer123!)")
        BENCH_TOKENS=$tokens BENCH_EVENT_FIRST=$event BENCH_EVENT_COUNT=1 \
            wrk --threads 2 --connections 64 --duration "$duration" --script Tests/Benchmarks/booking.lua "$base/bookings" \
            | awk '/^Requests\/sec:/ {printf "%.0f\n", $2}'
    )
}

on=()
off=()
for round in $(seq "$rounds"); do
    on+=("$(rush true)")
    off+=("$(rush false)")
    echo "round $round: metrics on ${on[-1]} bookings/s, off ${off[-1]} bookings/s"
done
python3 - "${on[*]}" "${off[*]}" <<'PY'
import statistics, sys
on = [int(x) for x in sys.argv[1].split()]
off = [int(x) for x in sys.argv[2].split()]
print(f"median bookings/s: metrics on {statistics.median(on):.0f}, off {statistics.median(off):.0f}; "
      f"on/off = {statistics.median(on) / statistics.median(off):.1%}")
PY
