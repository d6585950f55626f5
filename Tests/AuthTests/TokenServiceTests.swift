import Foundation
import JWTKit
import Testing
@testable import Auth

@Suite struct TokenServiceTests {
    static let secret = String(repeating: "k", count: 32)

    @Test func issuedTokenVerifiesWithItsClaims() async throws {
        let service = try await TokenService(secret: Self.secret, lifetime: 3600)
        let token = try await service.issue(userId: 42, role: "ORGANIZER")
        let claims = try await service.verify(token)
        #expect(claims.userId == 42)
        #expect(claims.role == "ORGANIZER")
        #expect(claims.exp.value.timeIntervalSince(claims.iat.value) == 3600)
    }

    @Test func tokenSignedWithAnotherSecretIsRefused() async throws {
        let other = try await TokenService(secret: String(repeating: "z", count: 32), lifetime: 3600)
        let token = try await other.issue(userId: 1, role: "USER")
        let service = try await TokenService(secret: Self.secret, lifetime: 3600)
        await #expect(throws: AuthError.invalidToken) { _ = try await service.verify(token) }
    }

    @Test func expiredTokenIsRefused() async throws {
        let service = try await TokenService(secret: Self.secret, lifetime: 60)
        let token = try await service.issue(userId: 1, role: "USER", now: Date().addingTimeInterval(-120))
        await #expect(throws: AuthError.invalidToken) { _ = try await service.verify(token) }
    }

    @Test func malformedTokenIsRefused() async throws {
        let service = try await TokenService(secret: Self.secret, lifetime: 60)
        await #expect(throws: AuthError.invalidToken) { _ = try await service.verify("not.a.jwt") }
    }

    @Test func secretShorterThan32BytesIsRefusedBeforeJWTKitSeesIt() async throws {
        await #expect(throws: AuthError.weakSecret(minimumBytes: 32)) { _ = try await TokenService(secret: "short", lifetime: 60) }
    }
}
