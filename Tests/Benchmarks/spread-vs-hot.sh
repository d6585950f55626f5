#!/usr/bin/env bash
# `make bench-spread`: the hot rush (one event) against the rush spread over 50 events, on one server, in turns:
# BENCH_ROUNDS (6) rounds of BENCH_DURATION (6s) each, who goes first alternating, so that the machine's drift
# falls on both alike. Each rush reports its bookings/s and the booking writer's commit time a booking (its
# metrics: the time it holds SQLite's one writer for a booking, which a /health/live run cannot normalize and
# which is where spreading used to cost). Not a test: it prints, and fails only when a request is refused.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${BENCH_ROUNDS:-6}
duration=${BENCH_DURATION:-6s}
work=.build/bench
mkdir -p "$work"

source Tests/seeded-server.sh
use_load_settings
build_release
start_seeded_server "$binary" "$work/spread-server.log"
trap 'kill "$server" 2>/dev/null || true' EXIT
BENCH_TOKENS=$(bench_tokens 64)
export BENCH_TOKENS
organizer=$(login organizer@example.com Organizer123!)
hot_event=$(bench_event "$organizer")
spread_first=$(bench_event "$organizer")
for _ in $(seq 49); do bench_event "$organizer" > /dev/null; done

# The writer's counters: bookings committed and seconds spent committing batches, so far.
writer() {
    curl -sf "$base/metrics" | awk '/^eventbooking_writer_batch_size_sum/ {b = $2} /^eventbooking_writer_commit_duration_seconds_sum/ {c = $2}
        END {print b, c}'
}
# rush KIND: one wrk run; prints "KIND bookings/s writer-µs-a-booking p99".
rush() {
    local kind=$1 first=$hot_event count=1 before after
    if [ "$kind" = spread ]; then first=$spread_first count=50; fi
    before=$(writer)
    BENCH_EVENT_FIRST=$first BENCH_EVENT_COUNT=$count wrk --threads 2 --connections 64 --duration "$duration" --latency \
        --script Tests/Benchmarks/booking.lua "$base/bookings" > "$work/spread-wrk.txt"
    after=$(writer)
    if grep -q Non-2xx "$work/spread-wrk.txt"; then echo "REFUSED: $(grep Non-2xx "$work/spread-wrk.txt")" >&2; exit 1; fi
    python3 -c '
import sys
kind, before, after, wrk = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), open(sys.argv[4]).read().split("\n")
rate = next(float(line.split()[1]) for line in wrk if line.startswith("Requests/sec"))
p99 = next(line.split()[1] for line in wrk if line.strip().startswith("99%"))
bookings, seconds = float(after[0]) - float(before[0]), float(after[1]) - float(before[1])
print(kind, round(rate), round(seconds / bookings * 1e6, 1), p99)' "$kind" "$before" "$after" "$work/spread-wrk.txt"
}

: > "$work/spread-rounds.txt"
for round in $(seq "$rounds"); do
    for kind in $([ $((round % 2)) = 1 ] && echo hot spread || echo spread hot); do
        line=$(rush "$kind")
        echo "round $round: $line" | tee -a "$work/spread-rounds.txt"
    done
done
python3 - "$work/spread-rounds.txt" <<'EOF'
import statistics, sys
runs = {"hot": [], "spread": []}
for line in open(sys.argv[1]):
    kind, rate, writer, p99 = line.split(": ")[1].split()
    runs[kind].append((float(rate), float(writer)))
mean = {kind: (statistics.mean(r for r, _ in values), statistics.mean(w for _, w in values)) for kind, values in runs.items()}
for kind, (rate, writer) in mean.items():
    print(f"{kind}: {rate:,.0f} bookings/s, the writer {writer:.1f} us a booking (mean of {len(runs[kind])} rushes)")
print(f"spread / hot: {mean['spread'][0] / mean['hot'][0]:.2f} of the bookings/s, {mean['spread'][1] / mean['hot'][1]:.2f} of the writer's time a booking")
EOF
