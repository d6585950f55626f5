import Auth
import Foundation
import HTTPTypes
import Mail
import Storage

/// Registration and login, as the JSON API and the web pages both do them: one-time codes, accounts, tokens.
/// Callers have validated the fields and counted the rate limits that know the client.
struct Accounts: Sendable {
    let database: AppDatabase
    let passwords: PasswordHasher
    let tokens: TokenService
    let codes: OneTimeCodes
    let codeRules: OneTimeCodeRules
    let mailer: Mailer
    /// false: ORGANIZER accounts come only from `event-booking promote`.
    var allowOrganizerSignup = true
    var limits = RateLimits()

    /// Mails a registration code to `email`. The mail is written to the outbox with the code itself and
    /// delivered in the background: an unreachable mail server delays it but never loses it.
    func sendCode(to email: String) async throws -> IssuedCode {
        let code = codes.generate()
        let issued = try await database.issueOneTimeCode(
            email: email, codeHash: codes.hash(code: code, email: email), rules: codeRules,
            mail: try mailer.oneTimeCode(code, to: email, lifetime: codeRules.lifetime))
        mailer.wakeUp.signal()
        return issued
    }

    /// Creates the account the mailed `code` vouches for, and a token for it.
    func register(
        firstname: String, lastname: String, email: String, password: String, country: String, code: String, role: UserRole
    ) async throws -> (user: User, token: String) {
        if role == .organizer, !allowOrganizerSignup {
            throw AppError(
                status: .forbidden, code: "ORGANIZER_SIGNUP_CLOSED",
                message: "Organizer accounts cannot be registered here; register as USER and ask the operator to promote you")
        }
        // The code first: a wrong one costs a quick check, never a password hash (tens of milliseconds of CPU).
        let codeHash = codes.hash(code: code, email: email)
        try await database.verifyOneTimeCode(email: email, codeHash: codeHash, rules: codeRules)
        let newUser = NewUser(
            email: email, firstname: firstname, lastname: lastname, passwordHash: try await passwords.hash(password),
            country: country, role: role)
        let user = try await database.registerUser(newUser, codeHash: codeHash, rules: codeRules)
        return (user, try await tokens.issue(userId: user.id!, role: user.role.rawValue))
    }

    /// The user `email` and `password` name, and a token for them; 401 `INVALID_CREDENTIALS` otherwise.
    func logIn(email: String, password: String) async throws -> (user: User, token: String) {
        // Past the failed-login limit even the right password is refused: otherwise the lock would mean nothing.
        try limits.checkLogin(email: email)
        // Unknown address or wrong password: the same answer after the same work.
        let user = try await database.user(email: email)
        guard try await passwords.verify(password, against: user?.passwordHash), let user else {
            limits.recordFailedLogin(email: email)
            throw AppError(status: .unauthorized, code: "INVALID_CREDENTIALS", message: "Invalid email or password")
        }
        return (user, try await tokens.issue(userId: user.id!, role: user.role.rawValue))
    }

    /// The user a token names, when it is valid and its user still exists.
    func user(forToken token: String) async throws -> User? {
        guard let claims = try? await tokens.verify(token), let userId = claims.userId else { return nil }
        return try await database.user(id: userId)
    }
}
