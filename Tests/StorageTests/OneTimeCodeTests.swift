import Foundation
import Testing
@testable import Storage

@Suite struct OneTimeCodeTests {
    let rules = OneTimeCodeRules()
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func newUser(_ email: String) -> NewUser {
        NewUser(email: email, firstname: "A", lastname: "B", passwordHash: "x", country: "DE", role: .user)
    }

    @Test func resendInsideTheCooldownIsRefused() async throws {
        try await TestDatabase.with { test in
            _ = try await test.database.issueOneTimeCode(email: "a@example.com", codeHash: "h1", rules: rules, now: start)
            await #expect(throws: StorageError.oneTimeCode(.resendTooSoon(retryAfterSeconds: 30))) {
                _ = try await test.database.issueOneTimeCode(email: "a@example.com", codeHash: "h2", rules: rules, now: start.addingTimeInterval(30))
            }
            let second = try await test.database.issueOneTimeCode(email: "a@example.com", codeHash: "h2", rules: rules, now: start.addingTimeInterval(61))
            #expect(second.attempt == 2)
        }
    }

    @Test func tooManySendsBlockTheAddressForTheBlockPeriod() async throws {
        try await TestDatabase.with { test in
            var now = start
            for attempt in 1...rules.maxSends {
                let issued = try await test.database.issueOneTimeCode(email: "a@example.com", codeHash: "h\(attempt)", rules: rules, now: now)
                #expect(issued.attempt == attempt)
                now.addTimeInterval(61)
            }
            let blockedUntil = now.addingTimeInterval(rules.blockDuration)
            await #expect(throws: StorageError.oneTimeCode(.blocked(until: blockedUntil))) {
                _ = try await test.database.issueOneTimeCode(email: "a@example.com", codeHash: "h", rules: rules, now: now)
            }
            await #expect(throws: StorageError.oneTimeCode(.blocked(until: blockedUntil))) {
                _ = try await test.database.issueOneTimeCode(email: "a@example.com", codeHash: "h", rules: rules, now: now.addingTimeInterval(3600))
            }
            let afterBlock = try await test.database.issueOneTimeCode(email: "a@example.com", codeHash: "h", rules: rules, now: blockedUntil.addingTimeInterval(1))
            #expect(afterBlock.attempt == 1)
        }
    }

    @Test func wrongCodesCountAndTheLastOneKillsTheCode() async throws {
        try await TestDatabase.with { test in
            _ = try await test.database.issueOneTimeCode(email: "a@example.com", codeHash: "right", rules: rules, now: start)
            for failed in 1...rules.maxFailedAttempts {
                await #expect(throws: StorageError.oneTimeCode(.invalid(failedAttempts: failed, maxAttempts: 5))) {
                    _ = try await test.database.registerUser(newUser("a@example.com"), codeHash: "wrong", rules: rules, now: start)
                }
            }
            // Even the right code is useless now: the address is blocked.
            await #expect(throws: StorageError.oneTimeCode(.blocked(until: start.addingTimeInterval(rules.blockDuration)))) {
                _ = try await test.database.registerUser(newUser("a@example.com"), codeHash: "right", rules: rules, now: start)
            }
        }
    }

    /// Sends a code to a@example.com at `start` and guesses wrong one time less than the limit.
    func sendACodeAndGuessWrongAllButOnce(_ test: TestDatabase) async throws {
        _ = try await test.database.issueOneTimeCode(email: "a@example.com", codeHash: "first", rules: rules, now: start)
        for failed in 1..<rules.maxFailedAttempts {
            await #expect(throws: StorageError.oneTimeCode(.invalid(failedAttempts: failed, maxAttempts: 5))) {
                _ = try await test.database.registerUser(newUser("a@example.com"), codeHash: "wrong", rules: rules, now: start)
            }
        }
    }

    @Test func wrongCodesStillCountAfterAResendWithinTheSendWindow() async throws {
        try await TestDatabase.with { test in
            try await sendACodeAndGuessWrongAllButOnce(test)
            // A new code does not buy new guesses: the next wrong one is the last allowed and blocks the address.
            let resent = start.addingTimeInterval(rules.resendCooldown + 1)
            _ = try await test.database.issueOneTimeCode(email: "a@example.com", codeHash: "second", rules: rules, now: resent)
            await #expect(throws: StorageError.oneTimeCode(.invalid(failedAttempts: rules.maxFailedAttempts, maxAttempts: 5))) {
                _ = try await test.database.registerUser(newUser("a@example.com"), codeHash: "wrong", rules: rules, now: resent)
            }
            await #expect(throws: StorageError.oneTimeCode(.blocked(until: resent.addingTimeInterval(rules.blockDuration)))) {
                _ = try await test.database.registerUser(newUser("a@example.com"), codeHash: "second", rules: rules, now: resent)
            }
        }
    }

    @Test func wrongCodesAreForgivenWhenANewSendWindowStarts() async throws {
        try await TestDatabase.with { test in
            try await sendACodeAndGuessWrongAllButOnce(test)
            let nextWindow = start.addingTimeInterval(rules.sendWindow + 1)
            _ = try await test.database.issueOneTimeCode(email: "a@example.com", codeHash: "second", rules: rules, now: nextWindow)
            await #expect(throws: StorageError.oneTimeCode(.invalid(failedAttempts: 1, maxAttempts: 5))) {
                _ = try await test.database.registerUser(newUser("a@example.com"), codeHash: "wrong", rules: rules, now: nextWindow)
            }
        }
    }

    @Test func expiredCodeIsRefusedAndAGoodCodeIsSingleUse() async throws {
        try await TestDatabase.with { test in
            _ = try await test.database.issueOneTimeCode(email: "a@example.com", codeHash: "c", rules: rules, now: start)
            await #expect(throws: StorageError.oneTimeCode(.expired(failedAttempts: 0, maxAttempts: 5))) {
                _ = try await test.database.registerUser(newUser("a@example.com"), codeHash: "c", rules: rules, now: start.addingTimeInterval(601))
            }
            _ = try await test.database.issueOneTimeCode(email: "b@example.com", codeHash: "d", rules: rules, now: start)
            let user = try await test.database.registerUser(newUser("B@example.com"), codeHash: "d", rules: rules, now: start.addingTimeInterval(10))
            #expect(user.email == "b@example.com")
            await #expect(throws: StorageError.emailInUse) {
                _ = try await test.database.registerUser(newUser("b@example.com"), codeHash: "d", rules: rules, now: start.addingTimeInterval(20))
            }
            await #expect(throws: StorageError.emailInUse) {
                _ = try await test.database.issueOneTimeCode(email: "b@example.com", codeHash: "e", rules: rules, now: start.addingTimeInterval(100))
            }
        }
    }
}
