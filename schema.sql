-- The one schema of the event booking service.
-- The service creates it through its migrations (Sources/Storage/AppDatabase+Migrations.swift);
-- StorageTests proves that a migrated database has exactly these tables, columns, indexes and
-- constraints. Change both together.
-- Timestamps are UTC text as GRDB writes them ('YYYY-MM-DD HH:MM:SS.SSS'), so they sort and compare as text.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    firstname TEXT NOT NULL CHECK (length(firstname) BETWEEN 1 AND 100),
    lastname TEXT NOT NULL CHECK (length(lastname) BETWEEN 1 AND 100),
    password_hash TEXT NOT NULL,
    country TEXT NOT NULL CHECK (length(country) BETWEEN 1 AND 100),
    role TEXT NOT NULL DEFAULT 'USER' CHECK (role IN ('USER', 'ORGANIZER')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One row per address: the live code (as a keyed hash) and the counters that rate-limit it.
CREATE TABLE one_time_codes (
    email TEXT PRIMARY KEY CHECK (email = lower(email)),
    code_hash TEXT,
    expires_at TEXT,
    failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    send_count INTEGER NOT NULL DEFAULT 0 CHECK (send_count >= 0),
    window_started_at TEXT NOT NULL,
    last_sent_at TEXT NOT NULL,
    blocked_until TEXT
);

-- hold_duration_seconds: how long a hold on this event lasts, fixed when the hold is made.
-- max_seats_per_user: confirmed seats plus ACTIVE hold seats one user may have on the event; NULL: no cap.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description TEXT CHECK (description IS NULL OR length(description) <= 5000),
    total_seats INTEGER NOT NULL CHECK (total_seats BETWEEN 1 AND 1000000),
    available_seats INTEGER NOT NULL CHECK (available_seats >= 0 AND available_seats <= total_seats),
    status TEXT NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'PUBLISHED', 'CANCELLED', 'COMPLETED')),
    event_date TEXT,
    organizer_id INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    version INTEGER NOT NULL DEFAULT 0 CHECK (version >= 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    hold_duration_seconds INTEGER NOT NULL DEFAULT 600 CHECK (hold_duration_seconds BETWEEN 5 AND 7200),
    max_seats_per_user INTEGER CHECK (max_seats_per_user IS NULL OR max_seats_per_user BETWEEN 1 AND total_seats)
);
CREATE INDEX events_organizer_id ON events(organizer_id);
CREATE INDEX events_status ON events(status);
CREATE INDEX events_event_date ON events(event_date);
-- The lists' order (newest first): a page is an index walk, not a sort of every event.
CREATE INDEX events_created_at ON events(created_at, id);

-- How many events have each status, kept exact by triggers, so that the public list's total is a sum of
-- four rows instead of a count of every event.
CREATE TABLE event_counts (
    status TEXT PRIMARY KEY CHECK (status IN ('DRAFT', 'PUBLISHED', 'CANCELLED', 'COMPLETED')),
    count INTEGER NOT NULL CHECK (count >= 0)
) WITHOUT ROWID;
INSERT INTO event_counts (status, count) VALUES ('DRAFT', 0), ('PUBLISHED', 0), ('CANCELLED', 0), ('COMPLETED', 0);
CREATE TRIGGER event_counts_insert AFTER INSERT ON events BEGIN
    UPDATE event_counts SET count = count + 1 WHERE status = NEW.status;
END;
CREATE TRIGGER event_counts_delete AFTER DELETE ON events BEGIN
    UPDATE event_counts SET count = count - 1 WHERE status = OLD.status;
END;
CREATE TRIGGER event_counts_status AFTER UPDATE OF status ON events WHEN OLD.status <> NEW.status BEGIN
    UPDATE event_counts SET count = count - 1 WHERE status = OLD.status;
    UPDATE event_counts SET count = count + 1 WHERE status = NEW.status;
END;

-- checked_in_at: when the organizer checked the booker in at the door; set once.
CREATE TABLE bookings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    booking_reference TEXT NOT NULL UNIQUE,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE RESTRICT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    seat_count INTEGER NOT NULL CHECK (seat_count > 0),
    status TEXT NOT NULL DEFAULT 'CONFIRMED' CHECK (status IN ('CONFIRMED', 'CANCELLED')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    checked_in_at TEXT
);
-- An event's bookings are found through bookings_by_event (below), not an index on event_id.
-- "My bookings", newest first.
CREATE INDEX bookings_user_created_at ON bookings(user_id, created_at, id);

-- A POST /bookings that may be sent again: the same key and body replay the booking it made, written in
-- the booking's own transaction.
CREATE TABLE idempotency_keys (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash TEXT NOT NULL,
    booking_id INTEGER NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Mail waiting to go out, written in the transaction of what caused it and delivered by the outbox
-- service. A booking's or a hold's mail is an intent: its kind and its booking or hold, rendered when it is
-- delivered. Only a one-time code's mail is stored as a message, sealed (encrypted) in `payload` with its
-- `recipient`, so that a code is never stored in clear; a finished message keeps neither. Finished rows are
-- purged after the retention period.
-- Its CHECKs, and the seat ledger's, spell their lists out as ORs: SQLite checks an IN list of three or more
-- values by building a temporary b-tree of it for every row it writes, and every booking writes both tables.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (
        kind = 'one-time-code' OR kind = 'booking-confirmed' OR kind = 'booking-cancelled' OR kind = 'event-cancelled'
        OR kind = 'hold-offered' OR kind = 'hold-expired'),
    recipient TEXT,
    payload BLOB,
    booking_id INTEGER REFERENCES bookings(id) ON DELETE CASCADE,
    hold_id INTEGER REFERENCES holds(id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'PENDING' CHECK (status = 'PENDING' OR status = 'SENT' OR status = 'FAILED'),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    CHECK (status <> 'PENDING' OR (payload IS NOT NULL AND recipient IS NOT NULL) OR booking_id IS NOT NULL OR hold_id IS NOT NULL)
);
-- The mail waiting to go out, and the mail given up on: both partial, so that a delivered message leaves the
-- index its booking added it to, and the rows of a busy outbox that are done cost no index at all. The
-- retention purge finds finished rows by id, the order they were written in.
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX outbox_failed ON outbox(id) WHERE status = 'FAILED';

-- Every change to an event's available seats, in the transaction that made it: the deltas of an event sum to
-- its available_seats (`check` verifies it). Append-only: the triggers refuse any change. No foreign key: the
-- ledger outlives an event that is deleted. actor_id is the user who made the change (NULL: the service).
CREATE TABLE seat_ledger (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id INTEGER NOT NULL,
    delta INTEGER NOT NULL,
    reason TEXT NOT NULL CHECK (
        reason = 'OPENING_BALANCE' OR reason = 'EVENT_CREATED' OR reason = 'BOOKED' OR reason = 'CANCELLED'
        OR reason = 'CAPACITY_CHANGED' OR reason = 'EVENT_CANCELLED' OR reason = 'HOLD_PLACED' OR reason = 'HOLD_RELEASED'
        OR reason = 'HOLD_EXPIRED' OR reason = 'HOLD_CONFIRMED'),
    available_after INTEGER NOT NULL CHECK (available_after >= 0),
    version INTEGER NOT NULL,
    booking_reference TEXT,
    hold_reference TEXT,
    actor_id INTEGER,
    created_at TEXT NOT NULL
);
CREATE TRIGGER seat_ledger_no_update BEFORE UPDATE ON seat_ledger BEGIN
    SELECT RAISE(ABORT, 'the seat ledger is append-only');
END;
CREATE TRIGGER seat_ledger_no_delete BEFORE DELETE ON seat_ledger BEGIN
    SELECT RAISE(ABORT, 'the seat ledger is append-only');
END;

-- Seats taken for a while before they are booked. An ACTIVE hold's seats are out of available_seats, so per
-- event: total_seats - available_seats = confirmed booking seats + ACTIVE hold seats (`check` verifies it).
-- expires_at is fixed when the hold is made; nothing extends it. A CONFIRMED hold points at its booking.
CREATE TABLE holds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hold_reference TEXT NOT NULL UNIQUE,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE RESTRICT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    seat_count INTEGER NOT NULL CHECK (seat_count > 0),
    status TEXT NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'CONFIRMED', 'RELEASED', 'EXPIRED')),
    expires_at TEXT NOT NULL,
    booking_id INTEGER UNIQUE REFERENCES bookings(id) ON DELETE RESTRICT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((status = 'CONFIRMED') = (booking_id IS NOT NULL))
);
-- The expiry sweep: the next hold to lapse.
CREATE INDEX holds_active_expiry ON holds(expires_at) WHERE status = 'ACTIVE';
-- An event's live holds: the seats of lapsed ones that reads give back before the sweep has run.
CREATE INDEX holds_active_event ON holds(event_id, expires_at) WHERE status = 'ACTIVE';
-- A user's holds on an event (the per-user cap).
CREATE INDEX holds_user_event ON holds(user_id, event_id);

-- A POST /holds that may be sent again, as idempotency_keys is for bookings.
CREATE TABLE hold_idempotency_keys (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash TEXT NOT NULL,
    hold_id INTEGER NOT NULL REFERENCES holds(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- People waiting for seats of a sold-out event, a group as one entry. When seats come back the writer
-- serves the WAITING entries in order of id, offering each that fits a hold (OFFERED, hold_id); confirming
-- it makes the entry CONVERTED, letting it lapse EXPIRED. One open (WAITING or OFFERED) entry per user and event.
CREATE TABLE waitlist_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    waitlist_reference TEXT NOT NULL UNIQUE,
    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE RESTRICT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
    seat_count INTEGER NOT NULL CHECK (seat_count > 0),
    status TEXT NOT NULL DEFAULT 'WAITING' CHECK (status IN ('WAITING', 'OFFERED', 'CONVERTED', 'EXPIRED', 'LEFT')),
    hold_id INTEGER UNIQUE REFERENCES holds(id) ON DELETE RESTRICT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((status IN ('OFFERED', 'CONVERTED')) <= (hold_id IS NOT NULL))
);
-- The queue, in order: also what a position counts.
CREATE INDEX waitlist_queue ON waitlist_entries(event_id, id) WHERE status = 'WAITING';
CREATE UNIQUE INDEX waitlist_open_entry ON waitlist_entries(event_id, user_id) WHERE status IN ('WAITING', 'OFFERED');
-- "My entry": the newest of a user on an event.
CREATE INDEX waitlist_event_user ON waitlist_entries(event_id, user_id, id);
-- A person's entries over every event (the web page of their bookings).
CREATE INDEX waitlist_user ON waitlist_entries(user_id, id);

-- An event's bookings and ledger entries, in order: what an index on event_id would hold, written in bulk.
-- An index on event_id takes a page for each event a commit books, and a rush spread over 50 events wrote
-- 75 WAL pages a commit of 20 against 44 on one event. These tables are filled by the booking writer once
-- 1,024 or more rows wait (AppDatabase+ByEvent.swift), in event order, so that a page takes many rows of
-- an event at once. Rows up to by_event_settled's ids are in them; the views below add the later rows,
-- the unsettled tail, by a scan of the table from there. Read an event's rows through the views only.
-- `check` verifies that these tables hold exactly the rows up to those ids.
CREATE TABLE bookings_by_event (
    event_id INTEGER NOT NULL,
    booking_id INTEGER NOT NULL,
    PRIMARY KEY (event_id, booking_id)
) WITHOUT ROWID;
CREATE TABLE seat_ledger_by_event (
    event_id INTEGER NOT NULL,
    entry_id INTEGER NOT NULL,
    PRIMARY KEY (event_id, entry_id)
) WITHOUT ROWID;
-- One row: the last booking and ledger entry in the tables above.
CREATE TABLE by_event_settled (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    bookings_through INTEGER NOT NULL,
    seat_ledger_through INTEGER NOT NULL
);
INSERT INTO by_event_settled (id, bookings_through, seat_ledger_through) VALUES (1, 0, 0);
-- An event's bookings (WHERE event_id = ?), ordered by id without a sort: the settled ones in bookings_by_event's
-- order, then the tail.
CREATE VIEW event_bookings AS
    SELECT settled.event_id AS event_id, settled.booking_id AS id, bookings.booking_reference AS booking_reference,
           bookings.user_id AS user_id, bookings.seat_count AS seat_count, bookings.status AS status,
           bookings.created_at AS created_at, bookings.updated_at AS updated_at, bookings.checked_in_at AS checked_in_at
    FROM bookings_by_event AS settled JOIN bookings ON bookings.id = settled.booking_id
    UNION ALL
    SELECT event_id, id, booking_reference, user_id, seat_count, status, created_at, updated_at, checked_in_at
    FROM bookings WHERE id > (SELECT bookings_through FROM by_event_settled);
-- An event's ledger entries, the same way.
CREATE VIEW event_seat_ledger AS
    SELECT settled.event_id AS event_id, settled.entry_id AS id, seat_ledger.delta AS delta, seat_ledger.reason AS reason,
           seat_ledger.available_after AS available_after, seat_ledger.version AS version,
           seat_ledger.booking_reference AS booking_reference, seat_ledger.hold_reference AS hold_reference,
           seat_ledger.actor_id AS actor_id, seat_ledger.created_at AS created_at
    FROM seat_ledger_by_event AS settled JOIN seat_ledger ON seat_ledger.id = settled.entry_id
    UNION ALL
    SELECT event_id, id, delta, reason, available_after, version, booking_reference, hold_reference, actor_id, created_at
    FROM seat_ledger WHERE id > (SELECT seat_ledger_through FROM by_event_settled);
