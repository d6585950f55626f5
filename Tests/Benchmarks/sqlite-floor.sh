#!/usr/bin/env bash
# `make bench-floor`: what SQLite alone costs a booking (sqlite-floor.c), on a fresh database in a temporary
# folder on the disk the service would use, at the batch sizes a rush makes.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=.build/bench
mkdir -p "$build"
cc -O2 -o "$build/sqlite-floor" Tests/Benchmarks/sqlite-floor.c -lsqlite3
for synchronous in FULL OFF; do
    for batch in 10 20 40; do
        folder=$(mktemp -d "${TMPDIR:-/var/tmp}/sqlite-floor.XXXXXX")
        "$build/sqlite-floor" schema.sql "$folder" $((20000 / batch)) "$batch" "$synchronous"
        rm -rf "$folder"
    done
done
# What a savepoint for each command would cost (the writer takes them only to run a batch again, see BookingWriter).
folder=$(mktemp -d "${TMPDIR:-/var/tmp}/sqlite-floor.XXXXXX")
"$build/sqlite-floor" schema.sql "$folder" 1000 20 FULL savepoints
rm -rf "$folder"

