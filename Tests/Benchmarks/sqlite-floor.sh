#!/usr/bin/env bash
# `make bench-floor`: what SQLite alone costs a booking (sqlite-floor.c), on a fresh database in a temporary
# folder on the disk the service would use, at the batch sizes a rush makes, through the service's VFS
# (WALWriteGathering.c) and, for comparison, through SQLite's own.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=.build/bench
mkdir -p "$build"
cc -O2 -Wall -I Sources/CSQLiteConfig/include -o "$build/sqlite-floor" \
    Tests/Benchmarks/sqlite-floor.c Sources/CSQLiteConfig/*.c -lsqlite3
# floor BATCHES BATCH_SIZE SYNCHRONOUS EVENTS VFS [savepoints]
floor() {
    local folder
    folder=$(mktemp -d "${TMPDIR:-/var/tmp}/sqlite-floor.XXXXXX")
    "$build/sqlite-floor" schema.sql "$folder" "$@"
    rm -rf "$folder"
}
for synchronous in FULL OFF; do
    for batch in 10 20 40; do floor $((20000 / batch)) "$batch" "$synchronous" 1 gathering; done
done
# One hot event and bookings spread over 50, with the WAL's writes gathered and without, in turns.
for _ in 1 2 3; do
    for events in 1 50; do
        for vfs in gathering unix; do floor 1000 20 FULL "$events" "$vfs"; done
    done
done
# What a savepoint for each command would cost (the writer takes them only to run a batch again, see BookingWriter).
floor 1000 20 FULL 1 gathering savepoints
