import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOPosix
import TestSupport
import Testing
@testable import Mail

/// The SMTP client against a real server on loopback: STARTTLS with a private CA, AUTH, DATA.
@Suite(.serialized) struct SMTPTransportTests {
    static func withServer(_ body: (SMTPTestServer) async throws -> Void) async throws {
        let server = SMTPTestServer()
        defer { server.tearDown() }
        try server.start()
        try await body(server)
    }

    static func transport(_ server: SMTPTestServer, password: String = SMTPTestServer.password, caFile: String?? = nil, port: Int? = nil) throws -> SMTPMailTransport {
        try SMTPMailTransport(
            configuration: SMTPConfiguration(
                host: "localhost", port: port ?? server.port, username: SMTPTestServer.user, password: password,
                from: "Event Booking <no-reply@event-booking.test>", trustedCAFile: caFile ?? server.caFile))
    }

    @Test func deliversOverSTARTTLSWithAuthAndKeepsNonASCIIIntact() async throws {
        try await Self.withServer { server in
            let message = MailMessage(
                to: "zoë@example.com", subject: "Réservation confirmée: Ånglö Café ☕",
                text: "Hallo Zoë,\n.a line that starts with a dot\n..and one with two\nEnde.", html: "<p>Hallo Zoë</p>")
            try await Self.transport(server).send(message)
            let received = try await server.awaitReceived(count: 1)
            let mail = try #require(received.first)
            #expect(mail.usedTLS, "STARTTLS was offered, so it was used")
            #expect(mail.login == SMTPTestServer.user)
            #expect(mail.recipients == ["zoë@example.com"])
            #expect(mail.raw.contains("Subject: =?UTF-8?B?"))
            #expect(MailText.header("Subject", in: mail.raw) == "Réservation confirmée: Ånglö Café ☕")
            let body = MailText.decodedBody(mail.raw)
            #expect(body.contains("Hallo Zoë,\r\n.a line that starts with a dot\r\n..and one with two\r\nEnde."), "dot-stuffing undone by the server")
            #expect(mail.raw.contains("Message-ID: <"))
            #expect(mail.raw.contains("Date: "))
            #expect(mail.raw.contains("From: Event Booking <no-reply@event-booking.test>"))
        }
    }

    @Test func wrongPasswordIsAPermanentFailure() async throws {
        try await Self.withServer { server in
            let transport = try Self.transport(server, password: "wrong")
            let error = await #expect(throws: MailDeliveryError.self) {
                try await transport.send(MailMessage(to: "a@example.com", subject: "s", text: "t"))
            }
            guard case .permanent(let reason)? = error else {
                Issue.record("expected a permanent failure, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("535"))
            #expect(try server.received().isEmpty)
        }
    }

    @Test func serverWithAnUntrustedCertificateIsRefused() async throws {
        try await Self.withServer { server in
            // The system trust store does not know the test CA: the handshake must fail.
            let transport = try Self.transport(server, caFile: .some(nil))
            let error = await #expect(throws: MailDeliveryError.self) {
                try await transport.send(MailMessage(to: "a@example.com", subject: "s", text: "t"))
            }
            guard case .temporary? = error else {
                Issue.record("expected a temporary failure, got \(String(describing: error))")
                return
            }
            #expect(try server.received().isEmpty)
        }
    }

    @Test func unreachableServerIsATemporaryFailure() async throws {
        try await Self.withServer { server in
            server.stop()
            let transport = try Self.transport(server)
            await #expect(throws: MailDeliveryError.self) {
                try await transport.send(MailMessage(to: "a@example.com", subject: "s", text: "t"))
            }
        }
    }

    @Test func aTransportPrintedAsTextShowsNoPassword() throws {
        let configuration = SMTPConfiguration(host: "smtp.example.com", port: 587, username: "mailer", password: "Sup3r-Secret", from: "f@example.com")
        let transport = try SMTPMailTransport(configuration: configuration)
        for text in [String(describing: transport), String(reflecting: transport), "\(configuration)"] {
            #expect(!text.contains("Sup3r-Secret"), "\(text)")
            #expect(text.contains("smtp.example.com:587"), "\(text)")
        }
    }

    @Test func dateHeaderIsRFC5322InUTC() {
        // 2026-11-25T09:05:03Z, a Wednesday.
        let raw = MailMessage(to: "a@example.com", subject: "s", text: "t").rendered(
            from: "f@example.com", date: Date(timeIntervalSince1970: 1_795_597_503), messageID: "id@example.com")
        #expect(raw.contains("\r\nDate: Wed, 25 Nov 2026 09:05:03 +0000\r\n"), "\(raw)")
    }

    @Test func dotStuffingDoublesLeadingDotsOnly() {
        #expect(SMTPMailTransport.dotStuffed("a\r\n.b\r\n..c\r\nd.e\r\n") == "a\r\n..b\r\n...c\r\nd.e\r\n")
    }
}

@Suite(.serialized) struct SMTPTransportModeTests {
    @Test func implicitTLSOnConnectWorks() async throws {
        let server = SMTPTestServer(flags: ["--implicit-tls"])
        defer { server.tearDown() }
        try server.start()
        let transport = try SMTPMailTransport(
            configuration: SMTPConfiguration(
                host: "localhost", port: server.port, security: .implicitTLS, username: SMTPTestServer.user, password: SMTPTestServer.password,
                from: "no-reply@event-booking.test", trustedCAFile: server.caFile))
        try await transport.send(MailMessage(to: "a@example.com", subject: "implicit", text: "over TLS from the first byte"))
        let mail = try #require(try await server.awaitReceived(count: 1).first)
        #expect(mail.usedTLS)
        #expect(mail.login == SMTPTestServer.user)
    }

    @Test func authLoginIsUsedWhenPlainIsNotOffered() async throws {
        let server = SMTPTestServer(flags: ["--only-login"])
        defer { server.tearDown() }
        try server.start()
        try await SMTPTransportTests.transport(server).send(MailMessage(to: "a@example.com", subject: "login", text: "AUTH LOGIN"))
        let mail = try #require(try await server.awaitReceived(count: 1).first)
        #expect(mail.login == SMTPTestServer.user)
    }

    @Test func aServerThatNeverAnswersTimesOutAsATemporaryFailure() async throws {
        // A listener that accepts and says nothing: the greeting never comes.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        let transport = try SMTPMailTransport(
            configuration: SMTPConfiguration(host: "127.0.0.1", port: silent.localAddress!.port!, from: "a@b.test", timeout: 0.3))
        let started = ContinuousClock.now
        let error = await #expect(throws: MailDeliveryError.self) {
            try await transport.send(MailMessage(to: "a@example.com", subject: "s", text: "t"))
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        guard case .temporary(let reason)? = error else {
            Issue.record("expected a temporary failure, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("did not answer in time"))
    }
}

/// How lines become replies, on the event loop: what the deadline's timer counts.
@Suite struct SMTPReplyHandlerTests {
    @Test func linesBecomeOneReplyEachAndAreCountedAsTheyArrive() async throws {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: SMTPReply.self, throwing: (any Error).self)
        let arrived = NIOLockedValueBox(0)
        let channel = EmbeddedChannel(handler: SMTPReplyHandler(continuation: continuation, repliesArrived: arrived))
        try channel.writeInbound(ByteBuffer(string: "250-smtp.example.com"))
        try channel.writeInbound(ByteBuffer(string: "250-STARTTLS"))
        #expect(arrived.withLockedValue { $0 } == 0, "a reply is not complete before its last line")
        try channel.writeInbound(ByteBuffer(string: "250 AUTH PLAIN LOGIN"))
        try channel.writeInbound(ByteBuffer(string: "220"))
        #expect(arrived.withLockedValue { $0 } == 2)
        try channel.writeInbound(ByteBuffer(string: "hello"))
        var replies = stream.makeAsyncIterator()
        #expect(try await replies.next() == SMTPReply(code: 250, lines: ["smtp.example.com", "STARTTLS", "AUTH PLAIN LOGIN"]))
        #expect(try await replies.next() == SMTPReply(code: 220, lines: [""]))
        await #expect(throws: SMTPConnectionError.malformedReply("hello")) { _ = try await replies.next() }
        #expect(!channel.isActive, "a malformed line closes the connection")
    }
}
