import Foundation
import GRDB
import Logging
import Storage
import Testing
@testable import Mail

/// A transport that fails as told, and counts what it delivered.
actor ScriptedTransport: MailTransport {
    var failures: [MailDeliveryError]
    private(set) var delivered: [MailMessage] = []

    init(failures: [MailDeliveryError]) {
        self.failures = failures
    }

    /// Runs once, before the next send.
    private var beforeSend: (@Sendable () async -> Void)?

    func beforeFirstSend(_ body: @escaping @Sendable () async -> Void) {
        beforeSend = body
    }

    func send(_ message: MailMessage) async throws {
        if let body = beforeSend {
            beforeSend = nil
            await body()
        }
        if !failures.isEmpty { throw failures.removeFirst() }
        delivered.append(message)
    }
}

@Suite struct OutboxDeliveryTests {
    static let sealer = MailSealer(secret: "outbox-test-secret-outbox-test-secret")

    /// A delivery service on a fresh database whose transport fails with `failures` first; `codes` one-time
    /// code mails are queued.
    static func withOutbox(
        _ failures: [MailDeliveryError], codes: Int = 1, _ body: (OutboxDeliveryService, ScriptedTransport, AppDatabase) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try AppDatabase(path: folder.appendingPathComponent("db.sqlite").path)
        defer { try? database.close() }
        let transport = ScriptedTransport(failures: failures)
        let mailer = Mailer(templates: try await MailTemplates(), sealer: sealer, wakeUp: OutboxWakeUp())
        var service = OutboxDeliveryService(database: database, transport: transport, mailer: mailer, logger: Logger(label: "test"))
        service.baseBackoff = 0.001
        service.maxAttempts = 3
        for index in 0..<codes {
            let email = "\(index)@example.com"
            _ = try await database.issueOneTimeCode(
                email: email, codeHash: "h", rules: OneTimeCodeRules(), mail: try mailer.oneTimeCode("123456", to: email, lifetime: 600))
        }
        try await body(service, transport, database)
    }

    @Test func temporaryFailuresAreRetriedAndASentMailIsNeverSentAgain() async throws {
        try await Self.withOutbox([.temporary("connection refused"), .temporary("timeout")]) { service, transport, database in
            #expect(try await service.deliverDueMessages() == 0)
            try await Task.sleep(for: .milliseconds(50))
            #expect(try await service.deliverDueMessages() == 0)
            try await Task.sleep(for: .milliseconds(50))
            #expect(try await service.deliverDueMessages() == 1)
            try await Task.sleep(for: .milliseconds(50))
            #expect(try await service.deliverDueMessages() == 0)
            #expect(await transport.delivered.map(\.to) == ["0@example.com"])
            #expect(try await database.outboxSummary() == OutboxSummary(pending: 0, failed: 0, oldestPendingAge: nil))
        }
    }

    @Test func everyDueMailGoesOutInRoundsAndIsMarkedSent() async throws {
        try await Self.withOutbox([], codes: 250) { service, transport, database in
            let delivered = try await service.deliverDueMessages()
            #expect(delivered == 250)
            let recipients = Set(await transport.delivered.map(\.to))
            #expect(recipients.count == 250)
            #expect(try await database.outboxSummary().pending == 0)
            #expect(try await service.deliverDueMessages() == 0, "nothing goes out twice")
        }
    }

    /// A round whose read returned fewer than a batch took all that was due: mail queued while it sends waits
    /// for the next round (which the queuing's wake-up starts), instead of costing every round a second read.
    @Test func aShortReadEndsTheRound() async throws {
        try await Self.withOutbox([], codes: 2) { service, transport, database in
            let mailer = service.mailer
            let late = try mailer.oneTimeCode("654321", to: "late@example.com", lifetime: 600)
            await transport.beforeFirstSend {
                _ = try? await database.issueOneTimeCode(email: "late@example.com", codeHash: "h", rules: OneTimeCodeRules(), mail: late)
            }
            // Due at any time: only the number of reads decides whether the late mail is in this round.
            #expect(try await service.deliverDueMessages(now: .distantFuture) == 2)
            #expect(try await service.deliverDueMessages(now: .distantFuture) == 1)
            #expect(await transport.delivered.map(\.to) == ["0@example.com", "1@example.com", "late@example.com"])
        }
    }

    @Test func permanentFailureMarksTheMailFailedWithTheReason() async throws {
        try await Self.withOutbox([.permanent("535 authentication failed")]) { service, transport, database in
            #expect(try await service.deliverDueMessages() == 0)
            #expect(try await database.outboxSummary().failed == 1)
            #expect(await transport.delivered.isEmpty)
            #expect(try await database.dueOutboxMessages(now: .distantFuture).isEmpty, "a failed mail is no longer due")
            let copy = try DatabaseQueue(path: database.path)
            let reason = try await copy.read { db in try String.fetchOne(db, sql: "SELECT last_error FROM outbox WHERE status = 'FAILED'") }
            #expect(reason == "permanent: 535 authentication failed")
        }
    }

    @Test func tooManyTemporaryFailuresGiveUp() async throws {
        try await Self.withOutbox(Array(repeating: .temporary("down"), count: 5)) { service, _, database in
            for _ in 0..<3 {
                _ = try await service.deliverDueMessages()
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await database.outboxSummary().failed == 1)
        }
    }

    @Test func unreadablePayloadIsMarkedFailedAndNeverSent() async throws {
        try await Self.withOutbox([]) { service, transport, database in
            let other = Mailer(
                templates: try await MailTemplates(), sealer: MailSealer(secret: "another-secret-another-secret-another"), wakeUp: OutboxWakeUp())
            _ = try await database.issueOneTimeCode(
                email: "x@example.com", codeHash: "h", rules: OneTimeCodeRules(), mail: try other.oneTimeCode("1", to: "x@example.com", lifetime: 60))
            #expect(try await service.deliverDueMessages() == 1)
            #expect(await transport.delivered.map(\.to) == ["0@example.com"])
            #expect(try await database.outboxSummary().failed == 1)
        }
    }
}
