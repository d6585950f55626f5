# Sourced by Tests/Conformance/run.sh and Tests/Benchmarks/run.sh: one way to start the real server.
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
