import Foundation
import GRDB

extension AppDatabase {
    /// The schema's history. A shipped migration is never edited: add a new one, and update `schema.sql`
    /// (StorageTests fails until the migrated schema and `schema.sql` agree).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
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
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX events_organizer_id ON events(organizer_id);
                CREATE INDEX events_status ON events(status);
                CREATE INDEX events_event_date ON events(event_date);
                CREATE TABLE bookings (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    booking_reference TEXT NOT NULL UNIQUE,
                    event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE RESTRICT,
                    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
                    seat_count INTEGER NOT NULL CHECK (seat_count > 0),
                    status TEXT NOT NULL DEFAULT 'CONFIRMED' CHECK (status IN ('CONFIRMED', 'CANCELLED')),
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX bookings_user_id ON bookings(user_id);
                CREATE INDEX bookings_event_id ON bookings(event_id);
                CREATE TABLE idempotency_keys (
                    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
                    request_hash TEXT NOT NULL,
                    booking_id INTEGER NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
                    response_body BLOB NOT NULL,
                    created_at TEXT NOT NULL,
                    PRIMARY KEY (user_id, key)
                );
                """)
        }
        migrator.registerMigration("v2-outbox") { db in
            try db.execute(sql: """
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    payload BLOB NOT NULL,
                    status TEXT NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENT', 'FAILED')),
                    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
                    next_attempt_at TEXT NOT NULL,
                    last_error TEXT,
                    created_at TEXT NOT NULL,
                    sent_at TEXT
                );
                CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
                """)
        }
        migrator.registerMigration("v3-group-commit") { db in
            try db.execute(sql: v3GroupCommit)
        }
        migrator.registerMigration("v4-running-an-event") { db in
            try db.execute(sql: v4RunningAnEvent, arguments: [DatabaseTimestamp.string(Date())])
        }
        migrator.registerMigration("v5-holds-and-waitlists") { db in
            try db.execute(sql: v5HoldsAndWaitlists)
        }
        migrator.registerMigration("v6-waitlist-by-user") { db in
            // A person's open entries over every event, for the web page of their bookings.
            try db.execute(sql: "CREATE INDEX waitlist_user ON waitlist_entries(user_id, id)")
        }
        migrator.registerMigration("v7-partial-outbox-indexes") { db in
            // Every delivered mail moved from the PENDING to the SENT part of outbox_due and stayed there: the
            // index only the waiting and the failed messages need. `make bench-floor`: 2.3 us of CPU and 4 us
            // of the writer's time a booking less.
            try db.execute(
                sql: """
                    DROP INDEX outbox_due;
                    CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 'PENDING';
                    CREATE INDEX outbox_failed ON outbox(id) WHERE status = 'FAILED';
                    """)
        }
        migrator.registerMigration("v8-checks-without-temporary-b-trees") { db in
            try db.execute(sql: v8ChecksWithoutTemporaryBTrees)
        }
        migrator.registerMigration("v9-by-event-tables") { db in
            try db.execute(sql: v9ByEventTables)
        }
        return migrator
    }

    /// Storage keeps plain values: a replayed booking is rebuilt from the booking its key points at, and a
    /// booking's mail is an intent (kind + booking) rendered when it is delivered. Only a one-time code's
    /// mail keeps a sealed payload. Lists are served by indexes, and the public list's total by counters.
    private static let v3GroupCommit = """
        ALTER TABLE idempotency_keys RENAME TO old_idempotency_keys;
        CREATE TABLE idempotency_keys (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
            request_hash TEXT NOT NULL,
            booking_id INTEGER NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            PRIMARY KEY (user_id, key)
        );
        INSERT INTO idempotency_keys (user_id, key, request_hash, booking_id, created_at)
            SELECT user_id, key, request_hash, booking_id, created_at FROM old_idempotency_keys;
        DROP TABLE old_idempotency_keys;

        ALTER TABLE outbox RENAME TO old_outbox;
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL CHECK (kind IN ('one-time-code', 'booking-confirmed', 'booking-cancelled', 'event-cancelled')),
            recipient TEXT,
            payload BLOB,
            booking_id INTEGER REFERENCES bookings(id) ON DELETE CASCADE,
            status TEXT NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENT', 'FAILED')),
            attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            CHECK (status <> 'PENDING' OR (payload IS NOT NULL AND recipient IS NOT NULL) OR booking_id IS NOT NULL)
        );
        -- Mails queued before v3 were sealed whole: they stay deliverable as they are.
        INSERT INTO outbox (id, kind, recipient, payload, status, attempts, next_attempt_at, last_error, created_at, sent_at)
            SELECT id, kind, recipient, CASE WHEN status = 'PENDING' THEN payload END, status, attempts, next_attempt_at,
                   last_error, created_at, sent_at
            FROM old_outbox;
        DROP TABLE old_outbox;
        CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

        CREATE INDEX events_created_at ON events(created_at, id);
        DROP INDEX bookings_user_id;
        CREATE INDEX bookings_user_created_at ON bookings(user_id, created_at, id);

        CREATE TABLE event_counts (
            status TEXT PRIMARY KEY CHECK (status IN ('DRAFT', 'PUBLISHED', 'CANCELLED', 'COMPLETED')),
            count INTEGER NOT NULL CHECK (count >= 0)
        ) WITHOUT ROWID;
        INSERT INTO event_counts (status, count)
            SELECT value, (SELECT COUNT(*) FROM events WHERE events.status = value)
            FROM json_each('["DRAFT", "PUBLISHED", "CANCELLED", "COMPLETED"]');
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
        """

    /// Check-in and the seat ledger. Events that exist already start their
    /// ledger with their balance at migration (`OPENING_BALANCE`), so that every event's deltas sum to its
    /// available seats from the first day.
    private static let v4RunningAnEvent = """
        ALTER TABLE bookings ADD COLUMN checked_in_at TEXT;

        CREATE TABLE seat_ledger (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id INTEGER NOT NULL,
            delta INTEGER NOT NULL,
            reason TEXT NOT NULL CHECK (reason IN (
                'OPENING_BALANCE', 'EVENT_CREATED', 'BOOKED', 'CANCELLED', 'CAPACITY_CHANGED', 'EVENT_CANCELLED',
                'HOLD_PLACED', 'HOLD_RELEASED', 'HOLD_EXPIRED', 'HOLD_CONFIRMED')),
            available_after INTEGER NOT NULL CHECK (available_after >= 0),
            version INTEGER NOT NULL,
            booking_reference TEXT,
            hold_reference TEXT,
            actor_id INTEGER,
            created_at TEXT NOT NULL
        );
        CREATE INDEX seat_ledger_event ON seat_ledger(event_id, id);
        CREATE TRIGGER seat_ledger_no_update BEFORE UPDATE ON seat_ledger BEGIN
            SELECT RAISE(ABORT, 'the seat ledger is append-only');
        END;
        CREATE TRIGGER seat_ledger_no_delete BEFORE DELETE ON seat_ledger BEGIN
            SELECT RAISE(ABORT, 'the seat ledger is append-only');
        END;
        INSERT INTO seat_ledger (event_id, delta, reason, available_after, version, created_at)
            SELECT id, available_seats, 'OPENING_BALANCE', available_seats, version, ? FROM events ORDER BY id;
        """

    /// Holds with a hard expiry, waitlists and a per-user cap. Existing events get the default hold duration
    /// and no cap. The outbox is rebuilt for its new mail kinds (a CHECK cannot be altered) and gains the
    /// hold a mail is about.
    private static let v5HoldsAndWaitlists = """
        ALTER TABLE events ADD COLUMN hold_duration_seconds INTEGER NOT NULL DEFAULT 600
            CHECK (hold_duration_seconds BETWEEN 5 AND 7200);
        ALTER TABLE events ADD COLUMN max_seats_per_user INTEGER
            CHECK (max_seats_per_user IS NULL OR max_seats_per_user BETWEEN 1 AND total_seats);

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
        CREATE INDEX holds_active_expiry ON holds(expires_at) WHERE status = 'ACTIVE';
        CREATE INDEX holds_active_event ON holds(event_id, expires_at) WHERE status = 'ACTIVE';
        CREATE INDEX holds_user_event ON holds(user_id, event_id);

        CREATE TABLE hold_idempotency_keys (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
            request_hash TEXT NOT NULL,
            hold_id INTEGER NOT NULL REFERENCES holds(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            PRIMARY KEY (user_id, key)
        );

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
        CREATE INDEX waitlist_queue ON waitlist_entries(event_id, id) WHERE status = 'WAITING';
        CREATE UNIQUE INDEX waitlist_open_entry ON waitlist_entries(event_id, user_id) WHERE status IN ('WAITING', 'OFFERED');
        CREATE INDEX waitlist_event_user ON waitlist_entries(event_id, user_id, id);

        ALTER TABLE outbox RENAME TO old_outbox;
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL CHECK (kind IN (
                'one-time-code', 'booking-confirmed', 'booking-cancelled', 'event-cancelled', 'hold-offered', 'hold-expired')),
            recipient TEXT,
            payload BLOB,
            booking_id INTEGER REFERENCES bookings(id) ON DELETE CASCADE,
            hold_id INTEGER REFERENCES holds(id) ON DELETE CASCADE,
            status TEXT NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENT', 'FAILED')),
            attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            CHECK (status <> 'PENDING' OR (payload IS NOT NULL AND recipient IS NOT NULL) OR booking_id IS NOT NULL OR hold_id IS NOT NULL)
        );
        INSERT INTO outbox (id, kind, recipient, payload, booking_id, status, attempts, next_attempt_at, last_error, created_at, sent_at)
            SELECT id, kind, recipient, payload, booking_id, status, attempts, next_attempt_at, last_error, created_at, sent_at
            FROM old_outbox;
        DROP TABLE old_outbox;
        CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
        """

    /// The two tables every booking writes to, with their CHECKs' lists spelled out as ORs. SQLite (3.40)
    /// checks `x IN ('a', 'b', 'c')` of three or more values by building a temporary b-tree of the list for every
    /// row it writes: a booking built three (the outbox's kind and status, the ledger's reason) and its delivery
    /// one more, each a page cache allocated and freed on the writer while the request threads fight it for
    /// malloc's locks. The same rules as comparisons build nothing: `make bench-floor` went from 44-67 to 35-52 us
    /// of CPU a booking, and a hot rush about 10 % further in paired runs. Both tables are rebuilt (a CHECK cannot
    /// be altered), keeping their rows, their ids and the next id AUTOINCREMENT hands out (a purge may have deleted
    /// the highest).
    private static let v8ChecksWithoutTemporaryBTrees = """
        ALTER TABLE outbox RENAME TO old_outbox;
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
        INSERT INTO outbox (id, kind, recipient, payload, booking_id, hold_id, status, attempts, next_attempt_at, last_error, created_at, sent_at)
            SELECT id, kind, recipient, payload, booking_id, hold_id, status, attempts, next_attempt_at, last_error, created_at, sent_at
            FROM old_outbox;
        DELETE FROM sqlite_sequence WHERE name = 'outbox';
        UPDATE sqlite_sequence SET name = 'outbox' WHERE name = 'old_outbox';
        DROP TABLE old_outbox;
        CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 'PENDING';
        CREATE INDEX outbox_failed ON outbox(id) WHERE status = 'FAILED';

        ALTER TABLE seat_ledger RENAME TO old_seat_ledger;
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
        INSERT INTO seat_ledger (id, event_id, delta, reason, available_after, version, booking_reference, hold_reference, actor_id, created_at)
            SELECT id, event_id, delta, reason, available_after, version, booking_reference, hold_reference, actor_id, created_at
            FROM old_seat_ledger;
        DELETE FROM sqlite_sequence WHERE name = 'seat_ledger';
        UPDATE sqlite_sequence SET name = 'seat_ledger' WHERE name = 'old_seat_ledger';
        DROP TABLE old_seat_ledger;
        CREATE INDEX seat_ledger_event ON seat_ledger(event_id, id);
        CREATE TRIGGER seat_ledger_no_update BEFORE UPDATE ON seat_ledger BEGIN
            SELECT RAISE(ABORT, 'the seat ledger is append-only');
        END;
        CREATE TRIGGER seat_ledger_no_delete BEFORE DELETE ON seat_ledger BEGIN
            SELECT RAISE(ABORT, 'the seat ledger is append-only');
        END;
        """

    /// An event's bookings and ledger entries move from indexes on event_id, which take a page for each event a
    /// commit books, to tables the booking writer fills in bulk (`settleByEventTables`), read through views that
    /// add the rows written since. Both tables are filled with every row there is.
    private static let v9ByEventTables = """
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
        CREATE TABLE by_event_settled (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            bookings_through INTEGER NOT NULL,
            seat_ledger_through INTEGER NOT NULL
        );
        CREATE VIEW event_bookings AS
            SELECT settled.event_id AS event_id, settled.booking_id AS id, bookings.booking_reference AS booking_reference,
                   bookings.user_id AS user_id, bookings.seat_count AS seat_count, bookings.status AS status,
                   bookings.created_at AS created_at, bookings.updated_at AS updated_at, bookings.checked_in_at AS checked_in_at
            FROM bookings_by_event AS settled JOIN bookings ON bookings.id = settled.booking_id
            UNION ALL
            SELECT event_id, id, booking_reference, user_id, seat_count, status, created_at, updated_at, checked_in_at
            FROM bookings WHERE id > (SELECT bookings_through FROM by_event_settled);
        CREATE VIEW event_seat_ledger AS
            SELECT settled.event_id AS event_id, settled.entry_id AS id, seat_ledger.delta AS delta, seat_ledger.reason AS reason,
                   seat_ledger.available_after AS available_after, seat_ledger.version AS version,
                   seat_ledger.booking_reference AS booking_reference, seat_ledger.hold_reference AS hold_reference,
                   seat_ledger.actor_id AS actor_id, seat_ledger.created_at AS created_at
            FROM seat_ledger_by_event AS settled JOIN seat_ledger ON seat_ledger.id = settled.entry_id
            UNION ALL
            SELECT event_id, id, delta, reason, available_after, version, booking_reference, hold_reference, actor_id, created_at
            FROM seat_ledger WHERE id > (SELECT seat_ledger_through FROM by_event_settled);
        INSERT INTO bookings_by_event (event_id, booking_id) SELECT event_id, id FROM bookings ORDER BY event_id, id;
        INSERT INTO seat_ledger_by_event (event_id, entry_id) SELECT event_id, id FROM seat_ledger ORDER BY event_id, id;
        INSERT INTO by_event_settled (id, bookings_through, seat_ledger_through)
            VALUES (1, (SELECT COALESCE(MAX(id), 0) FROM bookings), (SELECT COALESCE(MAX(id), 0) FROM seat_ledger));
        DROP INDEX bookings_event_id;
        DROP INDEX seat_ledger_event;
        """
}
