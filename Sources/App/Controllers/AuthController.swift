import Auth
import Foundation
import Hummingbird
import Logging
import Mail
import Storage

/// `/auth`: one-time codes, registration, login and the caller's profile.
struct AuthController {
    let database: AppDatabase
    let passwords: PasswordHasher
    let tokens: TokenService
    let codes: OneTimeCodes
    let codeRules: OneTimeCodeRules
    let mailer: Mailer
    /// false: ORGANIZER accounts come only from `event-booking promote`.
    var allowOrganizerSignup = true
    var limits = RateLimits()

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("auth/send-code", use: sendCode)
        router.post("auth/register", use: register)
        router.post("auth/login", use: login)
        router.group("auth", context: AuthenticatedContext.self).get("me", use: me)
    }

    @Sendable func sendCode(_ request: Request, context: AppRequestContext) async throws -> CodeSentResponse {
        try limits.countAuthRequest(request, peer: context.peerAddress)
        var fields = FieldReader(try await request.jsonObject(context: context))
        let email = fields.email("email")
        _ = fields.oneOf("type", required: true, CodePurpose.self)
        guard let email, fields.isValid else { throw fields.error }

        // The code's mail is written to the outbox with the code itself, and delivered in the background:
        // an unreachable mail server delays it but never loses it.
        let code = codes.generate()
        let issued = try await database.issueOneTimeCode(
            email: email, codeHash: codes.hash(code: code, email: email), rules: codeRules,
            mail: try mailer.oneTimeCode(code, to: email, lifetime: codeRules.lifetime))
        mailer.wakeUp.signal()
        return CodeSentResponse(
            email: .init(
                sentAt: Timestamp.string(issued.sentAt), timeout: Int(codeRules.lifetime * 1000), attempt: issued.attempt,
                maxAttempt: issued.maxAttempts))
    }

    @Sendable func register(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<AccessTokenResponse> {
        try limits.countAuthRequest(request, peer: context.peerAddress)
        var fields = FieldReader(try await request.jsonObject(context: context))
        let firstname = fields.string("firstname", required: true, length: 1...100)
        let lastname = fields.string("lastname", required: true, length: 1...100)
        let email = fields.email("email")
        let password = fields.strongPassword("password")
        let country = fields.string("country", required: true, length: 1...100)
        let code = fields.string("emailVerificationCode", required: true, length: 1...64)
        let role = fields.oneOf("role", required: false, UserRole.self) ?? .user
        guard let firstname, let lastname, let email, let password, let country, let code, fields.isValid else { throw fields.error }
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
        context.logger.info("user registered", metadata: ["user.id": "\(user.id!)", "user.role": "\(user.role.rawValue)"])
        let token = try await tokens.issue(userId: user.id!, role: user.role.rawValue)
        return EditedResponse(status: .created, response: AccessTokenResponse(accessToken: token))
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> AccessTokenResponse {
        try limits.countAuthRequest(request, peer: context.peerAddress)
        var fields = FieldReader(try await request.jsonObject(context: context))
        let email = fields.string("email", required: true, length: 1...254)
        let password = fields.string("password", required: true, length: 1...1024)
        guard let email, let password, fields.isValid else { throw fields.error }

        // Past the failed-login limit even the right password is refused: otherwise the lock would mean nothing.
        try limits.checkLogin(email: email)
        // Unknown address or wrong password: the same answer after the same work.
        let user = try await database.user(email: email)
        guard try await passwords.verify(password, against: user?.passwordHash), let user else {
            limits.recordFailedLogin(email: email)
            throw AppError(status: .unauthorized, code: "INVALID_CREDENTIALS", message: "Invalid email or password")
        }
        return AccessTokenResponse(accessToken: try await tokens.issue(userId: user.id!, role: user.role.rawValue))
    }

    @Sendable func me(_ request: Request, context: AuthenticatedContext) async throws -> ProfileResponse {
        ProfileResponse(context.user)
    }
}

/// What a one-time code is for; only registration exists.
enum CodePurpose: String, CaseIterable {
    case register
}
