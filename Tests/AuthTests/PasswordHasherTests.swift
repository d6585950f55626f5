import Testing
@testable import Auth

@Suite struct PasswordHasherTests {
    let hasher = PasswordHasher(costLog2: 8)

    @Test func rightPasswordVerifiesAndWrongOneDoesNot() async throws {
        let hash = try await hasher.hash("Correct-Horse-1")
        #expect(hash.hasPrefix("$scrypt$ln=8,r=8,p=1$"))
        #expect(!hash.contains("Correct-Horse-1"))
        #expect(try await hasher.verify("Correct-Horse-1", against: hash))
        #expect(try await !hasher.verify("correct-horse-1", against: hash))
    }

    @Test func samePasswordHashesDifferentlyEachTime() async throws {
        let first = try await hasher.hash("Same-Pass-1")
        let second = try await hasher.hash("Same-Pass-1")
        #expect(first != second, "every hash has its own salt")
    }

    @Test func hashMadeWithAnotherCostStillVerifies() async throws {
        let old = try await PasswordHasher(costLog2: 6).hash("Old-Pass-1")
        #expect(try await hasher.verify("Old-Pass-1", against: old))
    }

    @Test func unknownUserNeverVerifies() async throws {
        #expect(try await !hasher.verify("", against: nil))
        #expect(try await !hasher.verify("anything", against: nil))
    }

    @Test func garbledHashIsAnError() async throws {
        await #expect(throws: AuthError.unreadablePasswordHash) { _ = try await hasher.verify("x", against: "$bcrypt$nope") }
    }
}
