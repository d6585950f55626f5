import Foundation
import JWTKit

/// The claims of an access token: `sub` is the user id, `role` their role when it was issued.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var role: String
    public var iat: IssuedAtClaim
    public var exp: ExpirationClaim

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }

    /// The user id in `sub`, or nil when it is not one.
    public var userId: Int64? { Int64(sub.value) }
}

/// Issues and verifies HS256 access tokens (jwt-kit).
public struct TokenService: Sendable {
    /// jwt-kit asserts on shorter HMAC keys; refuse them before it can.
    public static let minimumSecretBytes = 32

    let keys: JWTKeyCollection
    let verified = VerifiedTokens()
    /// How long an issued token is valid.
    public let lifetime: TimeInterval

    /// Throws `AuthError.weakSecret` for a secret under 32 bytes.
    public init(secret: String, lifetime: TimeInterval) async throws {
        guard secret.utf8.count >= Self.minimumSecretBytes else {
            throw AuthError.weakSecret(minimumBytes: Self.minimumSecretBytes)
        }
        self.keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.lifetime = lifetime
    }

    /// A signed token for `userId` with `role`, valid from `now` for `lifetime`.
    public func issue(userId: Int64, role: String, now: Date = Date()) async throws -> String {
        // Whole seconds: NumericDate readers elsewhere expect integers.
        let now = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        let claims = AccessTokenClaims(
            sub: .init(value: String(userId)), role: role, iat: .init(value: now),
            exp: .init(value: now.addingTimeInterval(lifetime)))
        return try await keys.sign(claims)
    }

    /// The claims of a valid token; `AuthError.invalidToken` for anything else. A token verified before is
    /// not verified again until it expires (`VerifiedTokens`).
    public func verify(_ token: String) async throws -> AccessTokenClaims {
        if let claims = verified.claims(of: token) { return claims }
        do {
            let claims = try await keys.verify(token, as: AccessTokenClaims.self)
            guard claims.userId != nil else { throw AuthError.invalidToken }
            verified.store(token, claims)
            return claims
        } catch {
            throw AuthError.invalidToken
        }
    }
}
