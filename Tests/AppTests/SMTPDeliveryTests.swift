import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import TestSupport
import Testing
@testable import App

/// The whole service delivering through a real SMTP server (Debian's aiosmtpd, STARTTLS + AUTH).
@Suite(.serialized) struct SMTPDeliveryTests {
    static func smtp(_ server: SMTPTestServer, password: String = SMTPTestServer.password) -> (inout AppConfiguration) -> Void {
        { configuration in
            configuration.mailTransport = .smtp
            configuration.mailHost = "localhost"
            configuration.mailPort = server.port
            configuration.mailUser = SMTPTestServer.user
            configuration.mailPassword = password
            configuration.mailTLSCAFile = server.caFile
            configuration.mailFrom = "Event Booking <no-reply@event-booking.test>"
            configuration.mailTimeout = 5
            configuration.mailRetryBase = 0.1
        }
    }

    static func code(in mail: ReceivedMail) throws -> String {
        guard let match = mail.raw.firstMatch(of: #/code is (\d{6})/#) else { throw TestFailure("no code in \(mail.raw)") }
        return String(match.1)
    }

    static func register(_ api: TestAPI, _ email: String, code: String, role: String = "USER") async throws -> String {
        let response = try await api.request(.post, "/auth/register", json: """
            {"firstname": "Zoë", "lastname": "Ångström", "email": "\(email)", "password": "Passw0rd!", "country": "Sverige",
             "emailVerificationCode": "\(code)", "role": "\(role)"}
            """)
        guard response.status == .created, let token = try response.json()["accessToken"]?.stringValue else {
            throw TestFailure("register: \(response.status) \(String(buffer: response.body))")
        }
        return token
    }

    @Test func codeArrivesOverSMTPRegistrationWorksAndTheConfirmationNamesTheBooking() async throws {
        let server = SMTPTestServer()
        defer { server.tearDown() }
        try server.start()
        try await TestApp.run(configure: Self.smtp(server)) { api in
            try await api.request(.post, "/auth/send-code", json: #"{"email": "zoe@example.com", "type": "register"}"#)
            let codeMail = try #require(try await server.awaitReceived(count: 1).first)
            #expect(codeMail.usedTLS && codeMail.login == SMTPTestServer.user)
            let token = try await Self.register(api, "zoe@example.com", code: try Self.code(in: codeMail))

            try await api.request(.post, "/auth/send-code", json: #"{"email": "o@example.com", "type": "register"}"#)
            let organizerCode = try #require(try await server.awaitReceived(count: 2).last)
            let organizer = try await Self.register(api, "o@example.com", code: try Self.code(in: organizerCode), role: "ORGANIZER")
            let eventId = try await api.createEvent(token: organizer, title: "Måndagsjazz på Café Ünïcödé")
            let reference = try await api.book(token: token, eventId: eventId, seats: 2)
            let mails = try await server.awaitReceived(count: 3).filter { $0.recipients == ["zoe@example.com"] }
            #expect(mails.count == 2, "the code, then the confirmation")
            let confirmation = try #require(mails.last)
            let body = MailText.decodedBody(confirmation.raw)
            #expect(body.contains("Reference: \(reference)"))
            #expect(body.contains("Hello Zoë,"), "a non-ASCII name arrives intact")
            #expect(MailText.header("Subject", in: confirmation.raw) == "Booking confirmed: Måndagsjazz på Café Ünïcödé")
        }
    }

    @Test func mailWaitsOutAnSMTPOutageAndADaemonRestart() async throws {
        let server = SMTPTestServer()
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-outage-\(UUID().uuidString)")
        defer {
            server.tearDown()
            try? FileManager.default.removeItem(at: data)
        }
        // The mail server hangs: it accepts connections and never says a word, for longer than the test runs.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        let hanging: (inout AppConfiguration) -> Void = { configuration in
            Self.smtp(server)(&configuration)
            configuration.mailHost = "127.0.0.1"
            configuration.mailPort = silent.localAddress!.port!
            configuration.mailTimeout = 600
            configuration.mailTLSCAFile = nil  // the test server's CA is made when it starts; TLS is never reached here
        }
        // The request answers while the delivery is still stuck in its first try: it never waited for the
        // mail server (no clock involved). The mail waits in the outbox.
        try await TestApp.run(folder: data, configure: hanging) { api in
            let response = try await api.request(.post, "/auth/send-code", json: #"{"email": "wait@example.com", "type": "register"}"#)
            #expect(response.status == .ok)
            let waiting = try await api.app.database.dueOutboxMessages(now: .distantFuture)
            #expect(waiting.map(\.attempts) == [0], "answered before the first delivery try ended")
            #expect(try await api.request(.get, "/health").status == .ok, "mail alone never fails the health check")
            #expect(try await api.app.database.outboxSummary().pending == 1)
        }
        // The daemon is gone; the mail server comes back; a new daemon on the same data delivers the mail.
        try server.start()
        try await TestApp.run(folder: data, configure: Self.smtp(server)) { api in
            let mail = try #require(try await server.awaitReceived(count: 1).first)
            #expect(mail.recipients == ["wait@example.com"])
            _ = try await Self.register(api, "wait@example.com", code: try Self.code(in: mail))
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await api.app.database.outboxSummary().pending == 0)
            #expect(try server.received().count == 1, "delivered once, never again")
        }
    }

    @Test func wrongSMTPPasswordFailsTheMailWithAClearLogLineAndNoCrash() async throws {
        let server = SMTPTestServer()
        defer { server.tearDown() }
        try server.start()
        let store = CapturingLogHandler.Store()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(store: store) }
        try await TestApp.run(logger: logger, configure: Self.smtp(server, password: "not-the-password")) { api in
            try await api.request(.post, "/auth/send-code", json: #"{"email": "x@example.com", "type": "register"}"#)
            let deadline = ContinuousClock.now + .seconds(10)
            while try await api.app.database.outboxSummary().failed != 1, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await api.app.database.outboxSummary().failed == 1)
            let line = store.all.first { $0.contains("mail failed for good") }
            #expect(line?.contains("535") == true, "the log says why: \(line ?? "no line")")
            #expect(line?.contains("not-the-password") == false, "and never the password")
            #expect(try await api.request(.get, "/events").status == .ok, "the service carries on")
        }
    }
}
