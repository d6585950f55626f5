import Foundation
import GRDB

extension AppDatabase {
    /// Stores `codeHash` as the live code of `email`, enforcing the cooldown, the send limit and blocks.
    ///
    /// Refusals that change state (the send that trips the block) are committed before they are thrown.
    /// `mail` (the code's mail, sealed) goes to the outbox in the same transaction as the code.
    public func issueOneTimeCode(
        email: String, codeHash: String, rules: OneTimeCodeRules, now: Date = Date(), mail: SealedMail? = nil
    ) async throws -> IssuedCode {
        let email = email.lowercased()
        let result: Result<IssuedCode, StorageError> = try await write { db in
            if try User.filter(Column("email") == email).fetchCount(db) > 0 {
                return .failure(.emailInUse)
            }
            var code = try OneTimeCode.fetchOne(db, key: email)
                ?? OneTimeCode(email: email, codeHash: nil, expiresAt: nil, failedAttempts: 0, sendCount: 0,
                               windowStartedAt: now, lastSentAt: .distantPast, blockedUntil: nil)
            if let blockedUntil = code.blockedUntil, blockedUntil > now {
                return .failure(.oneTimeCode(.blocked(until: blockedUntil)))
            }
            let sinceLastSend = now.timeIntervalSince(code.lastSentAt)
            if sinceLastSend < rules.resendCooldown {
                return .failure(.oneTimeCode(.resendTooSoon(retryAfterSeconds: Int((rules.resendCooldown - sinceLastSend).rounded(.up)))))
            }
            if now.timeIntervalSince(code.windowStartedAt) >= rules.sendWindow || code.blockedUntil != nil {
                // A new window (or the end of a block) forgives the sends and the wrong guesses before it.
                code.windowStartedAt = now
                code.sendCount = 0
                code.failedAttempts = 0
                code.blockedUntil = nil
            }
            if code.sendCount >= rules.maxSends {
                code.blockedUntil = now.addingTimeInterval(rules.blockDuration)
                code.codeHash = nil
                try code.save(db)
                return .failure(.oneTimeCode(.blocked(until: code.blockedUntil!)))
            }
            code.sendCount += 1
            code.codeHash = codeHash
            code.expiresAt = now.addingTimeInterval(rules.lifetime)
            // Wrong guesses are not reset by a resend: they count across every code of the send window.
            code.lastSentAt = now
            try code.save(db)
            if let mail { try Self.enqueue(sealed: mail, now: now, db) }
            return .success(IssuedCode(sentAt: now, expiresAt: code.expiresAt!, attempt: code.sendCount, maxAttempts: rules.maxSends))
        }
        return try result.get()
    }

    /// Checks `codeHash` against the live code of `email` without consuming it, so that registration pays
    /// for a password hash only with the right code. A wrong code counts a failed try (committed), exactly
    /// as `registerUser` does.
    public func verifyOneTimeCode(email: String, codeHash: String, rules: OneTimeCodeRules, now: Date = Date()) async throws {
        let email = email.lowercased()
        let result: Result<Void, StorageError> = try await write { db in
            try Self.matchLiveCode(email: email, codeHash: codeHash, rules: rules, now: now, db).map { _ in () }
        }
        try result.get()
    }

    /// Consumes the live code of `newUser.email` when `codeHash` matches it, and creates the user in
    /// the same transaction. A wrong code counts a failed try (committed), across every code sent in the
    /// send window; the last allowed wrong try kills the code and blocks the address.
    public func registerUser(_ newUser: NewUser, codeHash: String, rules: OneTimeCodeRules, now: Date = Date()) async throws -> User {
        let email = newUser.email.lowercased()
        let result: Result<User, StorageError> = try await write { db in
            switch try Self.matchLiveCode(email: email, codeHash: codeHash, rules: rules, now: now, db) {
            case .failure(let refusal):
                return .failure(refusal)
            case .success(let code):
                try code.delete(db)
                return .success(try Self.insertUser(newUser, now: now, db))
            }
        }
        return try result.get()
    }

    /// The live code of `email` when `codeHash` matches it, or why not. A wrong guess is counted in `db`, and
    /// the last allowed one kills the code and blocks the address; refusals are returned, not thrown, so that
    /// the caller's transaction commits that count.
    private static func matchLiveCode(
        email: String, codeHash: String, rules: OneTimeCodeRules, now: Date, _ db: Database
    ) throws -> Result<OneTimeCode, StorageError> {
        if try User.filter(Column("email") == email).fetchCount(db) > 0 {
            return .failure(.emailInUse)
        }
        guard var code = try OneTimeCode.fetchOne(db, key: email) else {
            return .failure(.oneTimeCode(.invalid(failedAttempts: 0, maxAttempts: rules.maxFailedAttempts)))
        }
        if let blockedUntil = code.blockedUntil, blockedUntil > now {
            return .failure(.oneTimeCode(.blocked(until: blockedUntil)))
        }
        guard let liveHash = code.codeHash, let expiresAt = code.expiresAt else {
            return .failure(.oneTimeCode(.invalid(failedAttempts: code.failedAttempts, maxAttempts: rules.maxFailedAttempts)))
        }
        if expiresAt <= now {
            return .failure(.oneTimeCode(.expired(failedAttempts: code.failedAttempts, maxAttempts: rules.maxFailedAttempts)))
        }
        guard liveHash == codeHash else {
            code.failedAttempts += 1
            if code.failedAttempts >= rules.maxFailedAttempts {
                code.codeHash = nil
                code.blockedUntil = now.addingTimeInterval(rules.blockDuration)
            }
            try code.update(db)
            return .failure(.oneTimeCode(.invalid(failedAttempts: code.failedAttempts, maxAttempts: rules.maxFailedAttempts)))
        }
        return .success(code)
    }
}
