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

    @Test func tokenVerifiedBeforeIsRefusedOnceItExpires() async throws {
        let service = try await TokenService(secret: Self.secret, lifetime: 60)
        let token = try await service.issue(userId: 7, role: "USER")
        #expect(try await service.verify(token).userId == 7, "verified, and remembered")
        #expect(service.verified.claims(of: token)?.userId == 7)
        #expect(service.verified.claims(of: token, now: Date().addingTimeInterval(120)) == nil, "a remembered token still expires")
    }

    @Test func alteredTokenIsRefusedEvenAfterTheOriginalWasVerified() async throws {
        let service = try await TokenService(secret: Self.secret, lifetime: 60)
        let token = try await service.issue(userId: 7, role: "USER")
        _ = try await service.verify(token)
        var altered = Array(token)
        altered[altered.count - 2] = altered[altered.count - 2] == "A" ? "B" : "A"
        await #expect(throws: AuthError.invalidToken) { _ = try await service.verify(String(altered)) }
    }
}
