import Auth
import Foundation
import Hummingbird
import HummingbirdTesting
import Mail
import NIOPosix
import Storage
import Testing
@testable import App

/// Registration checks the code before it pays for a password hash, so junk codes cost no scrypt.
@Suite struct RegisterOrderTests {
    @Test func wrongCodeIsRefusedWithoutHashingAndTheRightOneReachesTheHasher() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("register-order-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try AppDatabase(path: folder.appendingPathComponent("db.sqlite").path)
        defer { try? database.close() }
        let secret = "register-order-secret-register-order-secret"
        let codes = OneTimeCodes(secret: secret)
        let rules = OneTimeCodeRules()
        _ = try await database.issueOneTimeCode(
            email: "r@example.com", codeHash: codes.hash(code: "123456", email: "r@example.com"), rules: rules)
        // A hasher on a thread pool that never started: any attempt to hash throws.
        let neverStarted = NIOThreadPool(numberOfThreads: 1)
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        let accounts = Accounts(
            database: database, passwords: PasswordHasher(costLog2: 8, threadPool: neverStarted),
            tokens: try await TokenService(secret: secret, lifetime: 60), codes: codes, codeRules: rules,
            mailer: Mailer(templates: try await MailTemplates(), sealer: MailSealer(secret: secret), wakeUp: OutboxWakeUp()))
        AuthController(accounts: accounts).addRoutes(to: router)

        @Sendable func register(code: String) -> String {
            """
            {"firstname": "R", "lastname": "O", "email": "r@example.com", "password": "Passw0rd!", "country": "DE",
             "emailVerificationCode": "\(code)"}
            """
        }
        try await Application(router: router).test(.router) { client in
            let wrong = try await client.execute(
                uri: "/auth/register", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: register(code: "000000")))
            #expect(wrong.status == .unprocessableContent, "refused before any hashing")
            #expect(wrong.errorCode == "OTP_INVALID")
            let right = try await client.execute(
                uri: "/auth/register", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: register(code: "123456")))
            #expect(right.status == .internalServerError, "only the right code gets as far as the hasher, which cannot run here")
        }
        #expect(try await database.user(email: "r@example.com") == nil)
    }
}
