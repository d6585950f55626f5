import Auth
import Foundation
import GRDB
import HTTPTypes
import HummingbirdTesting
import Logging
import TestSupport
import Testing
@testable import App
@testable import Storage

@Suite struct MailTests {
    @Test func confirmationMailNamesTheBookingAndEscapesHTML() async throws {
        try await TestApp.run { api in
            let owner = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("zoe@example.com")
            let id = try await api.createEvent(token: owner, title: "Café <Jazz> & Ünïcödé")
            let reference = try await api.book(token: user, eventId: id, seats: 2)
            let mails = try await api.awaitMails(to: "zoe@example.com", count: 2)
            let confirmation = try #require(mails.last)
            #expect(MailText.header("Subject", in: confirmation) == "Booking confirmed: Café <Jazz> & Ünïcödé")
            let body = MailText.decodedBody(confirmation)
            #expect(body.contains("Reference: \(reference)"))
            #expect(body.contains("Event:     Café <Jazz> & Ünïcödé"), "the text part as written")
            #expect(body.contains("<td>Café &lt;Jazz&gt; &amp; Ünïcödé</td>"), "the HTML part escaped")
            #expect(body.contains("Seats:     2"))
            #expect(body.contains("Date:      Mon, 1 Jun 2099, 19:00 UTC"), "the event date as people read it")
            #expect(confirmation.contains("Content-Type: multipart/alternative"))
        }
    }

    @Test func cancellingByTheBookerAndByTheOrganizerBothNotify() async throws {
        try await TestApp.run { api in
            let owner = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let id = try await api.createEvent(token: owner)
            let first = try await api.book(token: user, eventId: id)
            try await api.request(.delete, "/bookings/\(first)", token: user)
            _ = try await api.book(token: user, eventId: id)
            try await api.request(.put, "/events/\(id)", token: owner, json: #"{"status": "CANCELLED"}"#)
            // code, confirmation, cancellation (own), confirmation, cancellation (organizer)
            let mails = try await api.awaitMails(to: "u@example.com", count: 5).map(MailText.decodedBody)
            #expect(mails.filter { $0.contains("your booking has been cancelled as you asked") }.count == 1)
            #expect(mails.filter { $0.contains("the organizer has cancelled the event") }.count == 1)
        }
    }

    @Test func theCodeIsNeverStoredInClearText() async throws {
        try await TestApp.run { api in
            try await api.request(.post, "/auth/send-code", json: #"{"email": "c@example.com", "type": "register"}"#)
            let code = try await api.mailedCode(to: "c@example.com")
            let folder = URL(fileURLWithPath: api.app.configuration.databasePath).deletingLastPathComponent()
            for file in ["event-booking.sqlite", "event-booking.sqlite-wal"] {
                let bytes = (try? Data(contentsOf: folder.appendingPathComponent(file))) ?? Data()
                #expect(bytes.range(of: Data(code.utf8)) == nil, "\(file) holds the code")
            }
        }
    }

    @Test func healthReportsTheOutboxWithoutFailingForMail() async throws {
        try await TestApp.run { api in
            let health = try await api.request(.get, "/health").json()
            #expect(health["status"]?.stringValue == "ok")
            #expect(health["outbox"]?["pending"]?.intValue == 0)
            #expect(health["outbox"]?["failed"]?.intValue == 0)
            #expect(health["outbox"]?["oldestPendingAgeSeconds"] == .null)
        }
    }
}

/// A transport that fails as told, and counts what it delivered.
actor ScriptedTransport: MailTransport {
    var failures: [MailDeliveryError]
    private(set) var delivered: [MailMessage] = []

    init(failures: [MailDeliveryError]) {
        self.failures = failures
    }

    func send(_ message: MailMessage) async throws {
        if !failures.isEmpty { throw failures.removeFirst() }
        delivered.append(message)
    }
}

@Suite struct OutboxDeliveryTests {
    static func withOutbox(_ failures: [MailDeliveryError], _ body: (OutboxDeliveryService, ScriptedTransport, AppDatabase) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try AppDatabase(path: folder.appendingPathComponent("db.sqlite").path)
        defer { try? database.close() }
        let sealer = MailSealer(secret: "outbox-test-secret-outbox-test-secret")
        let transport = ScriptedTransport(failures: failures)
        var service = OutboxDeliveryService(database: database, transport: transport, sealer: sealer, wakeUp: OutboxWakeUp(), logger: Logger(label: "test"))
        service.baseBackoff = 0.001
        service.maxAttempts = 3
        let mail = OutboxMail(kind: "one-time-code", recipient: "a@example.com", payload: try sealer.seal(MailMessage(to: "a@example.com", subject: "s", text: "t")))
        _ = try await database.issueOneTimeCode(email: "a@example.com", codeHash: "h", rules: OneTimeCodeRules(), mail: mail)
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
            #expect(await transport.delivered.count == 1)
            #expect(try await database.outboxSummary() == OutboxSummary(pending: 0, failed: 0, oldestPendingAge: nil))
        }
    }

    @Test func permanentFailureMarksTheMailFailedWithTheReason() async throws {
        try await Self.withOutbox([.permanent("535 authentication failed")]) { service, transport, database in
            #expect(try await service.deliverDueMessages() == 0)
            #expect(try await database.outboxSummary().failed == 1)
            #expect(await transport.delivered.isEmpty)
            #expect(try await database.dueOutboxMessages(now: .distantFuture).isEmpty, "a failed mail is no longer due")
            let row = try await database.dbWriter.read { db in try OutboxMessage.fetchOne(db) }
            #expect(row?.status == .failed)
            #expect(row?.lastError == "permanent: 535 authentication failed")
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
}
