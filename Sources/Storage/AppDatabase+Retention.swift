import Foundation
import GRDB

/// What one purge removed.
public struct PurgeSummary: Sendable, Equatable {
    public var outboxMessages: Int
    public var oneTimeCodes: Int
}

extension AppDatabase {
    /// Rows deleted per write, so that a large purge never holds the writer for long.
    static let purgeChunkSize = 5_000

    /// Deletes what is no longer needed once `retention` has passed: delivered and failed outbox
    /// messages, and one-time code rows whose code, send window and block have all run out.
    ///
    /// A code row also carries its address's send and failure counters, so it is kept at least for its
    /// send window and while its block lasts, whatever `retention` says.
    public func purgeExpired(retention: TimeInterval, codeRules: OneTimeCodeRules, now: Date = Date()) async throws -> PurgeSummary {
        let outboxCutoff = now.addingTimeInterval(-retention)
        var outbox = 0
        while true {
            let deleted = try await write { db in
                try db.execute(
                    sql: """
                        DELETE FROM outbox WHERE id IN (
                            SELECT id FROM outbox WHERE status IN ('SENT', 'FAILED') AND next_attempt_at < ? LIMIT ?)
                        """,
                    arguments: [outboxCutoff, Self.purgeChunkSize])
                return db.changesCount
            }
            outbox += deleted
            if deleted < Self.purgeChunkSize { break }
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
