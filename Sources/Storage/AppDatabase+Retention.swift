import Foundation
import GRDB

/// What one purge removed.
public struct PurgeSummary: Sendable, Equatable {
    public var outboxMessages: Int
    public var oneTimeCodes: Int
}

extension AppDatabase {
    /// Outbox rows looked at per write, so that a large purge never holds the writer for long.
    static let purgeChunkSize = 5_000

    /// Deletes what is no longer needed once `retention` has passed: delivered and failed outbox
    /// messages, and one-time code rows whose code, send window and block have all run out.
    ///
    /// A code row also carries its address's send and failure counters, so it is kept at least for its
    /// send window and while its block lasts, whatever `retention` says.
    public func purgeExpired(retention: TimeInterval, codeRules: OneTimeCodeRules, now: Date = Date()) async throws -> PurgeSummary {
        let outboxCutoff = DatabaseTimestamp.string(now.addingTimeInterval(-retention))
        var outbox = 0
        // Delivered rows are in no index (`outbox_due` holds the pending, `outbox_failed` the failed): the
        // finished rows are found in id order, which is the order they were written in, a chunk at a time, up
        // to the first row written after the cutoff (its next try, and every later row's, is later still).
        // Each chunk is looked at on a reader and deleted in one short write; a message still pending stays,
        // and is looked at again by the next purge.
        var after: Int64 = 0
        while true {
            let first = after
            // Plain values out of the read (a `Row` is not Sendable, and would make this the blocking `read`).
            let chunk = try await pool.read { db -> (last: Int64?, rows: Int, passedCutoff: Bool)? in
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT MAX(id) AS last, COUNT(*) AS rows, MAX(created_at) >= ? AS passedCutoff
                        FROM (SELECT id, created_at FROM outbox WHERE id > ? ORDER BY id LIMIT ?)
                        """,
                    arguments: [outboxCutoff, first, Self.purgeChunkSize]
                ).map { (last: $0["last"], rows: $0["rows"], passedCutoff: $0["passedCutoff"] ?? false) }
            }
            guard let chunk, let last = chunk.last else { break }
            outbox += try await write { db in
                try db.execute(
                    sql: """
                        DELETE FROM outbox
                        WHERE id > ? AND id <= ? AND status IN ('SENT', 'FAILED') AND next_attempt_at < ?
                        """,
                    arguments: [first, last, outboxCutoff])
                return db.changesCount
            }
            if chunk.rows < Self.purgeChunkSize || chunk.passedCutoff { break }
            after = last
        }
        let codeCutoff = now.addingTimeInterval(-max(retention, codeRules.sendWindow, codeRules.lifetime))
        let codes = try await write { db in
            try db.execute(
                sql: "DELETE FROM one_time_codes WHERE last_sent_at < ? AND (blocked_until IS NULL OR blocked_until < ?)",
                arguments: [codeCutoff, now])
            return db.changesCount
        }
        return PurgeSummary(outboxMessages: outbox, oneTimeCodes: codes)
    }
}
