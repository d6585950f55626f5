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
        SELECT outbox.id AS outbox_id, outbox.kind AS outbox_kind, outbox.attempts AS outbox_attempts,
               outbox.recipient AS outbox_recipient, outbox.payload AS outbox_payload, outbox.hold_id AS outbox_hold_id,
               bookings.*, events.title AS event_title, events.event_date AS event_date,
               events.status AS event_status, events.organizer_id AS event_organizer_id,
               users.email AS booker_email, users.firstname AS booker_firstname
        FROM outbox
        LEFT JOIN bookings ON bookings.id = outbox.booking_id
        LEFT JOIN events ON events.id = bookings.event_id
        LEFT JOIN users ON users.id = bookings.user_id
        WHERE outbox.status = 'PENDING' AND outbox.next_attempt_at <= ?
        ORDER BY outbox.next_attempt_at, outbox.id
        LIMIT ?
        """

    /// Pending messages whose next try is due at `now`, oldest first, each with what its mail is about.
    public func dueOutboxMessages(now: Date = Date(), limit: Int = 100) async throws -> [OutboxMessage] {
        try await pool.read { db in
            try db.decodeAll(
                sql: Self.dueMessagesSQL,
                // A delivery round runs after every batch of a rush: its time goes in as text, not through the
                // DateFormatter GRDB binds a Date with (see DatabaseTimestamp).
                arguments: [DatabaseTimestamp.string(now), limit]
            ) { row in
                let content: OutboxMessage.Content
                if let payload = row["outbox_payload"] as Data?, let recipient = row["outbox_recipient"] as String? {
                    content = .sealed(SealedMail(recipient: recipient, payload: Array(payload)))
                } else if let holdId = row["outbox_hold_id"] as Int64? {
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
                    let booker = OutboxMessage.Booker(email: row["booker_email"], firstname: row["booker_firstname"])
                    content = .booking(try BookingDetails(row: row), booker: booker)
                }
                return OutboxMessage(id: row["outbox_id"], kind: row["outbox_kind"], attempts: row["outbox_attempts"], content: content)
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
