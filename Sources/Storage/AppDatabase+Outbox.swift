import Foundation
import GRDB

extension AppDatabase {
    /// Adds the `kind` mail about booking `bookingId` to the outbox inside the caller's transaction, due at
    /// `stamp` (the time as `DatabaseTimestamp` writes it).
    static func enqueue(_ kind: OutboxMailKind, bookingId: Int64, stamp: String, _ db: Database) throws {
        try db.executeDirectly(
            "INSERT INTO outbox (kind, booking_id, status, attempts, next_attempt_at, created_at) VALUES (?, ?, 'PENDING', 0, ?, ?)",
            .text(kind.rawValue), .integer(bookingId), .text(stamp), .text(stamp))
    }

    /// Adds the `kind` mail about hold `holdId` to the outbox inside the caller's transaction, due at `stamp`.
    static func enqueue(_ kind: OutboxMailKind, holdId: Int64, stamp: String, _ db: Database) throws {
        try db.cachedStatement(
            sql: "INSERT INTO outbox (kind, hold_id, status, attempts, next_attempt_at, created_at) VALUES (?, ?, 'PENDING', 0, ?, ?)"
        ).execute(arguments: [kind, holdId, stamp, stamp])
    }

    /// Adds a sealed one-time-code mail to the outbox inside the caller's transaction, due at once.
    static func enqueue(sealed mail: SealedMail, now: Date, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO outbox (kind, recipient, payload, status, attempts, next_attempt_at, created_at)
                VALUES (?, ?, ?, 'PENDING', 0, ?, ?)
                """,
            arguments: [OutboxMailKind.oneTimeCode, mail.recipient, Data(mail.payload), now, now])
    }

    /// The due pending messages, oldest first, with their bookings: `outbox_due` finds them.
    static let dueMessagesSQL = """
        SELECT outbox.id, outbox.kind, outbox.attempts, outbox.recipient, outbox.payload, outbox.hold_id,
               users.email, users.firstname, \(BookingDetails.columnList)
        FROM outbox
        LEFT JOIN bookings ON bookings.id = outbox.booking_id
        LEFT JOIN events ON events.id = bookings.event_id
        LEFT JOIN users ON users.id = bookings.user_id
        WHERE outbox.status = 'PENDING' AND outbox.next_attempt_at <= ?
        ORDER BY outbox.next_attempt_at, outbox.id
        LIMIT ?
        """

    /// Pending messages whose next try is due at `now`, oldest first, each with what its mail is about.
    ///
    /// A rush reads every booking's mail here, so the rows are read by index (`SQLiteColumns`): through GRDB's
    /// `Row` (its name lookups and its dates were most of it) the read took 3.9 % of a profiled hot rush's
    /// samples, the rush and the delivery after it; read by index, 2.0 %.
    public func dueOutboxMessages(now: Date = Date(), limit: Int = 100) async throws -> [OutboxMessage] {
        try await pool.read { db in
            // The time goes in as text, not through the DateFormatter GRDB binds a Date with (see DatabaseTimestamp).
            try db.readRowsDirectly(Self.dueMessagesSQL, .text(DatabaseTimestamp.string(now)), .integer(limit)) { columns in
                guard let id = columns.int64(0), let kind = columns.text(1).flatMap(OutboxMailKind.init(rawValue:)),
                    let attempts = columns.integer(2)
                else { throw StorageError.storageUnavailable(reason: "an outbox row has a value its schema does not allow") }
                let content: OutboxMessage.Content
                if let payload = columns.bytes(4), let recipient = columns.text(3) {
                    content = .sealed(SealedMail(recipient: recipient, payload: payload))
                } else if let holdId = columns.int64(5) {
                    // Hold mails are few: each reads its hold on its own.
                    let hold = try db.decodeOne(
                        sql: """
                            SELECT holds.*, events.title AS event_title, events.event_date AS event_date, events.status AS event_status,
                                   users.email AS holder_email, users.firstname AS holder_firstname
                            FROM holds JOIN events ON events.id = holds.event_id JOIN users ON users.id = holds.user_id
                            WHERE holds.id = ?
                            """,
                        arguments: [holdId]
                    ) { hold in
                        (HoldDetails(row: hold), OutboxMessage.Booker(email: hold["holder_email"], firstname: hold["holder_firstname"]))
                    }!
                    content = .hold(hold.0, booker: hold.1)
                } else {
                    // The CHECK constraint: a pending message without a payload or a hold has a booking.
                    guard let email = columns.text(6), let firstname = columns.text(7), let booking = BookingDetails(columns, from: 8) else {
                        throw StorageError.storageUnavailable(reason: "outbox message \(id) has no booking its schema allows")
                    }
                    content = .booking(booking, booker: OutboxMessage.Booker(email: email, firstname: firstname))
                }
                return OutboxMessage(id: id, kind: kind, attempts: attempts, content: content)
            }
        }
    }

    /// The earliest next try of a pending message: the first entry of `outbox_due`.
    static let nextAttemptSQL = "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'PENDING'"

    /// When the next pending message is due, or nil when none waits.
    public func nextOutboxAttempt() async throws -> Date? {
        try await pool.read { db in
            try Date.fetchOne(db, sql: Self.nextAttemptSQL)
        }
    }

    /// Records deliveries as one command of the booking writer's next batch: during a rush the marks share the
    /// bookings' commit instead of taking SQLite's one writer for a commit of their own. A sealed payload is
    /// dropped, so a delivered code no longer exists anywhere.
    public func markOutboxSent(ids: [Int64], now: Date = Date()) async throws {
        guard !ids.isEmpty else { return }
        let stamp = DatabaseTimestamp.string(now)
        let list = "[\(ids.map(String.init).joined(separator: ","))]"
        try await writer.submit { db in
            try db.cachedStatement(
                sql: """
                    UPDATE outbox SET status = 'SENT', sent_at = ?, payload = NULL, attempts = attempts + 1, last_error = NULL
                    WHERE id IN (SELECT value FROM json_each(?)) AND status = 'PENDING'
                    """
            ).execute(arguments: [stamp, list])
        }
    }

    /// Records a failed try: tried again at `retryAt`, or given up (`FAILED`) when `retryAt` is nil.
    public func markOutboxAttemptFailed(id: Int64, error: String, retryAt: Date?) async throws {
        try await write { db in
            if let retryAt {
                try db.execute(
                    sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ? AND status = 'PENDING'",
                    arguments: [String(error.prefix(1000)), retryAt, id])
            } else {
                try db.execute(
                    sql: "UPDATE outbox SET status = 'FAILED', attempts = attempts + 1, last_error = ?, payload = NULL WHERE id = ? AND status = 'PENDING'",
                    arguments: [String(error.prefix(1000)), id])
            }
        }
    }
}

/// The outbox at a glance (for operators and metrics; public health shows none of it).
public struct OutboxSummary: Sendable, Equatable {
    public var pending: Int
    public var failed: Int
    /// Age of the oldest pending message; nil when none waits.
    public var oldestPendingAge: TimeInterval?

    public init(pending: Int, failed: Int, oldestPendingAge: TimeInterval?) {
        self.pending = pending
        self.failed = failed
        self.oldestPendingAge = oldestPendingAge
    }
}

extension AppDatabase {
    /// Three reads of the partial indexes; finished rows are in neither.
    static let summarySQL = """
        SELECT (SELECT COUNT(*) FROM outbox WHERE status = 'PENDING') AS pending,
               (SELECT COUNT(*) FROM outbox WHERE status = 'FAILED') AS failed,
               (SELECT MIN(created_at) FROM outbox WHERE status = 'PENDING') AS oldest
        """

    /// Pending and failed counts and the oldest pending message's age; reads the unfinished rows only, through
    /// the partial indexes `outbox_due` and `outbox_failed`.
    public func outboxSummary(now: Date = Date()) async throws -> OutboxSummary {
        try await pool.read { db in
            let row = try Row.fetchOne(
                db,
                sql: Self.summarySQL)!
            let oldest: Date? = row["oldest"]
            return OutboxSummary(pending: row["pending"], failed: row["failed"], oldestPendingAge: oldest.map { now.timeIntervalSince($0) })
        }
    }
}
