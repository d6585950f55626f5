import Foundation
import GRDB

extension AppDatabase {
    /// Adds `mails` to the outbox inside the caller's transaction, due at once.
    static func enqueue(_ mails: [OutboxMail], now: Date, _ db: Database) throws {
        for mail in mails {
            var message = OutboxMessage(
                id: nil, kind: mail.kind, recipient: mail.recipient, payload: Data(mail.payload), status: .pending, attempts: 0,
                nextAttemptAt: now, lastError: nil, createdAt: now, sentAt: nil)
            try message.insert(db)
        }
    }

    /// Pending messages whose next try is due at `now`, oldest first.
    public func dueOutboxMessages(now: Date = Date(), limit: Int = 20) async throws -> [OutboxMessage] {
        try await dbWriter.read { db in
            try OutboxMessage
                .filter(Column("status") == OutboxStatus.pending && Column("next_attempt_at") <= now)
                .order(Column("next_attempt_at"), Column("id"))
                .limit(limit)
                .fetchAll(db)
        }
    }

    /// When the next pending message is due, or nil when none waits.
    public func nextOutboxAttempt() async throws -> Date? {
        try await dbWriter.read { db in
            try Date.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'PENDING'")
        }
    }

    /// Records a delivery; the sealed payload is dropped, so a delivered code no longer exists anywhere.
    public func markOutboxSent(id: Int64, now: Date = Date()) async throws {
        try await dbWriter.write { db in
            try db.execute(
                sql: "UPDATE outbox SET status = 'SENT', sent_at = ?, payload = x'', attempts = attempts + 1, last_error = NULL WHERE id = ? AND status = 'PENDING'",
                arguments: [now, id])
        }
    }

    /// Records a failed try: tried again at `retryAt`, or given up (`FAILED`) when `retryAt` is nil.
    public func markOutboxAttemptFailed(id: Int64, error: String, retryAt: Date?) async throws {
        try await dbWriter.write { db in
            if let retryAt {
                try db.execute(
                    sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ? AND status = 'PENDING'",
                    arguments: [String(error.prefix(1000)), retryAt, id])
            } else {
                try db.execute(
                    sql: "UPDATE outbox SET status = 'FAILED', attempts = attempts + 1, last_error = ?, payload = x'' WHERE id = ? AND status = 'PENDING'",
                    arguments: [String(error.prefix(1000)), id])
            }
        }
    }

    /// Pending and failed counts and the oldest pending message's age.
    public func outboxSummary(now: Date = Date()) async throws -> OutboxSummary {
        try await dbWriter.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(CASE WHEN status = 'PENDING' THEN 1 END) AS pending,
                           COUNT(CASE WHEN status = 'FAILED' THEN 1 END) AS failed,
                           MIN(CASE WHEN status = 'PENDING' THEN created_at END) AS oldest
                    FROM outbox WHERE status <> 'SENT'
                    """)!
            let oldest: Date? = row["oldest"]
            return OutboxSummary(pending: row["pending"], failed: row["failed"], oldestPendingAge: oldest.map { now.timeIntervalSince($0) })
        }
    }
}
