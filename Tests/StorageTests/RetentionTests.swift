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
