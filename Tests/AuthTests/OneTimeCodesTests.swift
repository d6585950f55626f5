import Testing
@testable import Auth

@Suite struct OneTimeCodesTests {
    let codes = OneTimeCodes(secret: "a-secret-for-tests-that-is-long-enough")

    @Test func codesAreSixDigitsAndVary() {
        let generated = (0..<200).map { _ in codes.generate() }
        #expect(generated.allSatisfy { $0.count == 6 && $0.allSatisfy(\.isNumber) })
        #expect(Set(generated).count > 190, "200 draws from a million values barely repeat")
    }

    @Test func hashIsKeyedAndBoundToTheAddress() {
        let hash = codes.hash(code: "123456", email: "A@example.com")
        #expect(hash == codes.hash(code: "123456", email: "a@example.com"))
        #expect(hash != codes.hash(code: "123456", email: "b@example.com"))
        #expect(hash != OneTimeCodes(secret: "another-secret-another-secret-xx").hash(code: "123456", email: "a@example.com"))
        #expect(!hash.contains("123456"))
    }
}
