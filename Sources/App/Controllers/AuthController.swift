import Foundation
import Hummingbird
import Logging
import Storage

/// `/auth`: one-time codes, registration, login and the caller's profile.
struct AuthController {
    let accounts: Accounts

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("auth/send-code", use: sendCode)
        router.post("auth/register", use: register)
        router.post("auth/login", use: login)
        router.group("auth", context: AuthenticatedContext.self).get("me", use: me)
    }

    @Sendable func sendCode(_ request: Request, context: AppRequestContext) async throws -> CodeSentResponse {
        try accounts.limits.countAuthRequest(request, peer: context.peerAddress)
        var fields = FieldReader(try await request.jsonObject(context: context))
        let email = fields.email("email")
        _ = fields.oneOf("type", required: true, CodePurpose.self)
        guard let email, fields.isValid else { throw fields.error }

        let issued = try await accounts.sendCode(to: email)
        return CodeSentResponse(
            email: .init(
                sentAt: Timestamp.string(issued.sentAt), timeout: Int(accounts.codeRules.lifetime * 1000), attempt: issued.attempt,
                maxAttempt: issued.maxAttempts))
    }

    @Sendable func register(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<AccessTokenResponse> {
        try accounts.limits.countAuthRequest(request, peer: context.peerAddress)
        var fields = FieldReader(try await request.jsonObject(context: context))
        let firstname = fields.string("firstname", required: true, length: 1...100)
        let lastname = fields.string("lastname", required: true, length: 1...100)
        let email = fields.email("email")
        let password = fields.strongPassword("password")
        let country = fields.string("country", required: true, length: 1...100)
        let code = fields.string("emailVerificationCode", required: true, length: 1...64)
        let role = fields.oneOf("role", required: false, UserRole.self) ?? .user
        guard let firstname, let lastname, let email, let password, let country, let code, fields.isValid else { throw fields.error }

        let (user, token) = try await accounts.register(
            firstname: firstname, lastname: lastname, email: email, password: password, country: country, code: code, role: role)
        context.logger.info("user registered", metadata: ["user.id": "\(user.id!)", "user.role": "\(user.role.rawValue)"])
        return EditedResponse(status: .created, response: AccessTokenResponse(accessToken: token))
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> AccessTokenResponse {
        try accounts.limits.countAuthRequest(request, peer: context.peerAddress)
        var fields = FieldReader(try await request.jsonObject(context: context))
        let email = fields.string("email", required: true, length: 1...254)
        let password = fields.string("password", required: true, length: 1...1024)
        guard let email, let password, fields.isValid else { throw fields.error }
        return AccessTokenResponse(accessToken: try await accounts.logIn(email: email, password: password).token)
    }

    @Sendable func me(_ request: Request, context: AuthenticatedContext) async throws -> ProfileResponse {
        ProfileResponse(context.user)
    }
}

/// What a one-time code is for; only registration exists.
enum CodePurpose: String, CaseIterable {
    case register
}
