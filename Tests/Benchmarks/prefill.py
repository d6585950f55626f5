"""Fills a seeded database with EVENTS published events and BOOKINGS confirmed bookings spread over them,
as the service would have written them (seats taken, versions bumped, the counters kept by the triggers, one
seat-ledger entry per change, both in the by-event tables),
so that `make bench` can compare a large database with a small one. Usage: prefill.py DB EVENTS BOOKINGS"""
import sqlite3
import sys
import uuid

path, events, bookings = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
db = sqlite3.connect(path)
db.execute("PRAGMA journal_mode = WAL")
organizer = db.execute("SELECT id FROM users WHERE role = 'ORGANIZER' ORDER BY id LIMIT 1").fetchone()[0]
users = [row[0] for row in db.execute("SELECT id FROM users ORDER BY id")]
first = (db.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]) + 1
seats, per_event = 1000, bookings // events
stamp = "2026-01-01 00:00:00.000"
with db:
    db.executemany(
        "INSERT INTO events (id, title, description, total_seats, available_seats, status, event_date, organizer_id, version,"
        " created_at, updated_at) VALUES (?, ?, NULL, ?, ?, 'PUBLISHED', '2099-01-01 00:00:00.000', ?, ?, ?, ?)",
        ((first + i, f"Prefilled {i}", seats, seats - per_event, organizer, per_event, stamp, stamp) for i in range(events)))
    db.executemany(
        "INSERT INTO bookings (booking_reference, event_id, user_id, seat_count, status, created_at, updated_at)"
        " VALUES (?, ?, ?, 1, 'CONFIRMED', ?, ?)",
        ((str(uuid.uuid4()), first + n // per_event, users[n % len(users)], stamp, stamp) for n in range(per_event * events)))
    db.executemany(
        "INSERT INTO seat_ledger (event_id, delta, reason, available_after, version, actor_id, created_at)"
        " VALUES (?, ?, 'EVENT_CREATED', ?, 0, ?, ?)",
        ((first + i, seats, seats, organizer, stamp) for i in range(events)))
    db.execute(
        "INSERT INTO seat_ledger (event_id, delta, reason, available_after, version, booking_reference, actor_id, created_at)"
        " SELECT event_id, -1, 'BOOKED', ? - ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY id),"
        " ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY id), booking_reference, user_id, created_at"
        " FROM bookings WHERE event_id >= ? ORDER BY id", (seats, first))
    # What the booking writer does once rows wait (AppDatabase+ByEvent.swift), for every row written so far.
    settled = db.execute("SELECT bookings_through, seat_ledger_through FROM by_event_settled").fetchone()
    db.execute("INSERT INTO bookings_by_event SELECT event_id, id FROM bookings WHERE id > ? ORDER BY event_id, id", (settled[0],))
    db.execute("INSERT INTO seat_ledger_by_event SELECT event_id, id FROM seat_ledger WHERE id > ? ORDER BY event_id, id", (settled[1],))
    db.execute("UPDATE by_event_settled SET bookings_through = (SELECT MAX(id) FROM bookings),"
               " seat_ledger_through = (SELECT MAX(id) FROM seat_ledger)")
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
print(f"prefilled {events} events (ids {first}..{first + events - 1}) and {per_event * events} bookings")
