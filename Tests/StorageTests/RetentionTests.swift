import Foundation
import GRDB
import Testing
@testable import Storage

@Suite struct RetentionTests {
    let rules = OneTimeCodeRules()
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func purgeDeletesFinishedMailAndSpentCodesOnlyAfterTheRetention() async throws {
        try await TestDatabase.with { test in
            let database = test.database
            let mail = SealedMail(recipient: "a@example.com", payload: [1])
            for index in 0..<3 {
                _ = try await database.issueOneTimeCode(email: "\(index)@example.com", codeHash: "h", rules: rules, now: start, mail: mail)
            }
            let due = try await database.dueOutboxMessages(now: start)
            try await database.markOutboxSent(ids: [due[0].id], now: start)
            try await database.markOutboxAttemptFailed(id: due[1].id, error: "550", retryAt: nil)

            let day: TimeInterval = 86_400
            let early = try await database.purgeExpired(retention: 7 * day, codeRules: rules, now: start.addingTimeInterval(6 * day))
            #expect(early == PurgeSummary(outboxMessages: 0, oneTimeCodes: 0), "nothing is older than the retention yet")
            let late = try await database.purgeExpired(retention: 7 * day, codeRules: rules, now: start.addingTimeInterval(8 * day))
            #expect(late == PurgeSummary(outboxMessages: 2, oneTimeCodes: 3))
            let pending = try await database.dueOutboxMessages(now: start.addingTimeInterval(8 * day))
            #expect(pending.map(\.id) == [due[2].id], "a mail still waiting to go out is never purged")
        }
    }

    /// More rows than two purge chunks: finished ones on both sides of the chunks' borders, a pending one among
    /// them, and young ones after the cutoff.
    @Test func purgeWalksTheOutboxInChunksAndKeepsWhatIsPendingOrYoung() async throws {
        try await TestDatabase.with { test in
            let day: TimeInterval = 86_400
            let old = DatabaseTimestamp.string(start)
            let young = DatabaseTimestamp.string(start.addingTimeInterval(9 * day))
            let oldRows = 2 * AppDatabase.purgeChunkSize + 10
            try await test.database.pool.write { db in
                let insert = try db.makeStatement(
                    sql: """
                        INSERT INTO outbox (kind, recipient, payload, status, attempts, next_attempt_at, created_at)
                        VALUES ('one-time-code', 'a@example.com', x'00', ?, 1, ?, ?)
                        """)
                for index in 0..<oldRows {
                    let status = index == AppDatabase.purgeChunkSize ? "PENDING" : index % 7 == 0 ? "FAILED" : "SENT"
                    try insert.execute(arguments: [status, old, old])
                }
                for _ in 0..<3 { try insert.execute(arguments: ["SENT", young, young]) }
            }
            let purged = try await test.database.purgeExpired(retention: 7 * day, codeRules: rules, now: start.addingTimeInterval(10 * day))
            #expect(purged.outboxMessages == oldRows - 1, "every finished row before the cutoff, over three chunks")
            let left = try await test.database.pool.read { db in
                try Row.fetchAll(db, sql: "SELECT status, created_at FROM outbox ORDER BY id").map {
                    [$0["status"] as String, $0["created_at"] as String]
                }
            }
            #expect(left == [["PENDING", old]] + Array(repeating: ["SENT", young], count: 3))
        }
    }

    @Test func blockedAddressKeepsItsCodeRowWhileTheBlockLasts() async throws {
        try await TestDatabase.with { test in
            var strict = rules
            strict.maxSends = 1
            strict.blockDuration = 30 * 86_400
            _ = try await test.database.issueOneTimeCode(email: "b@example.com", codeHash: "h", rules: strict, now: start)
            await #expect(throws: StorageError.self) {
                _ = try await test.database.issueOneTimeCode(email: "b@example.com", codeHash: "h", rules: strict, now: start.addingTimeInterval(120))
            }
            let purged = try await test.database.purgeExpired(retention: 86_400, codeRules: strict, now: start.addingTimeInterval(10 * 86_400))
            #expect(purged.oneTimeCodes == 0, "the block would end with the row")
        }
    }
}
