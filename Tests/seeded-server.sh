# Sourced by the conformance, web, benchmark and soak scripts: one way to build the release binary and to start
# the real server, and helpers to drive it.
#
# build_release: builds the release binary with `make release` (the one place its build flags are written), and
# sets $binary to it. Its pages then leave the page cache, so that the server maps them as a deployed binary's,
# read from disk: RSS counts the binary's mapped pages, and a file the linker has just written maps more of them
# (the same binary's idle server: 37.9 MB of its own pages resident when freshly copied, 33.5 MB once read from
# disk), which put 3-4 MB on every RSS figure the benchmarks and the soak measured.
build_release() {
    make --no-print-directory release
    binary="$(swift build -c release --show-bin-path)/event-booking"
    sync "$binary"
    python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$binary"
}
#
# use_load_settings: what every load script (benchmarks, soak) runs the server with: a deployment's defaults
# (synchronous=FULL, every confirmation mail through the outbox and rendered), quiet logs, and the per-user and
# per-address limits out of the way of 64 users on one address (a login flood then measures bounded hashing).
use_load_settings() {
    export MAIL_TRANSPORT=log LOG_LEVEL=warning
    export RATE_LIMIT_AUTH_PER_IP=off RATE_LIMIT_LOGIN_PER_ACCOUNT=off RATE_LIMIT_BOOKINGS_PER_USER=off
}
#
# start_seeded_server BINARY LOG: seeds a database in a new temporary folder ($data) and serves it on a free
# loopback port ($base, process $server), with the settings the caller exported (MAIL_TRANSPORT, LOG_LEVEL...).
# On exit the server is stopped and the folder removed.
start_seeded_server() {
    local binary=$1 log=$2 port
    data=$(mktemp -d)
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    export DATABASE_PATH="$data/event-booking.sqlite" PORT="$port" MAIL_OUTBOX_DIR="$data/outbox" PASSWORD_HASH_COST=10
    # A file that does not exist: no developer's .env leaks into the run.
    "$binary" seed --env-file "$data/no.env" > /dev/null
    "$binary" serve --env-file "$data/no.env" > "$log" 2>&1 &
    server=$!
    trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
    base="http://127.0.0.1:$port"
    for _ in $(seq 50); do curl -sf "$base/health" > /dev/null && break; sleep 0.2; done
}

# json PYTHON-SUBSCRIPT: a field of the JSON on stdin, e.g. json '["accessToken"]'.
json() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }
# login EMAIL PASSWORD: an access token.
login() { curl -sf -X POST "$base/auth/login" -H 'Content-Type: application/json' -d "{\"email\": \"$1\", \"password\": \"$2\"}" | json '["accessToken"]'; }
# sql STATEMENT: the first column of the first row, from the database file.
sql() { python3 -c "import sqlite3, sys; db = sqlite3.connect(sys.argv[1], timeout=30); print(db.execute(sys.argv[2]).fetchone()[0]); db.commit()" "$DATABASE_PATH" "$1"; }

# add_bench_users N: users bench1..benchN@example.com, copies of the seeded alice (same password hash,
# Password123!), so that no mail round trip is needed to make them.
add_bench_users() {
    python3 - "$DATABASE_PATH" "$1" <<'EOF_PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
with db:
    for n in range(1, int(sys.argv[2]) + 1):
        db.execute("INSERT INTO users (email, firstname, lastname, password_hash, country, role, created_at, updated_at)"
                   " SELECT ?, 'Bench', 'User', password_hash, country, 'USER', created_at, updated_at FROM users WHERE email = 'alice@example.com'",
                   (f"bench{n}@example.com",))
EOF_PY
}

# bench_tokens N: users bench1..benchN (add_bench_users), logged in; prints their access tokens, comma-separated,
# as booking.lua takes them (BENCH_TOKENS).
bench_tokens() {
    local tokens="" n
    add_bench_users "$1"
    for n in $(seq "$1"); do tokens="$tokens${tokens:+,}$(login "bench$n@example.com" Password123!)"; done
    echo "$tokens"
}

# bench_event ORGANIZER_TOKEN: a published event with room for any rush (1,000,000 seats, the most an event has);
# prints its id.
bench_event() {
    curl -sf -X POST "$base/events" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
        -d '{"title": "Benchmark", "totalSeats": 1000000, "status": "PUBLISHED", "eventDate": "2099-01-01T00:00:00Z"}' | json '["id"]'
}
