import Foundation
import NIOCore
import NIOSSL

/// Delivers mail to an SMTP server: EHLO, STARTTLS whenever offered (or implicit TLS), AUTH PLAIN or
/// LOGIN, then MAIL FROM / RCPT TO / DATA with dot-stuffing. The server's certificate is always verified.
///
/// One connection per message: the outbox sends a few mails at a time, and a fresh connection is the
/// simplest thing that is always in a known state.
public struct SMTPMailTransport: MailTransport {
    let configuration: SMTPConfiguration
    let tls: NIOSSLContext

    /// Throws when the CA file cannot be read.
    public init(configuration: SMTPConfiguration) throws {
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        tlsConfiguration.certificateVerification = .fullVerification
        if let file = configuration.trustedCAFile {
            tlsConfiguration.trustRoots = .file(file)
        }
        self.tls = try NIOSSLContext(configuration: tlsConfiguration)
        self.configuration = configuration
    }

    public func send(_ message: MailMessage) async throws {
        let timeout = TimeAmount.milliseconds(Int64(configuration.timeout * 1000))
        let connection: SMTPConnection
        do {
            connection = try await SMTPConnection.connect(
                host: configuration.host, port: configuration.port, tls: configuration.security == .implicitTLS ? tls : nil, timeout: timeout)
        } catch {
            throw MailDeliveryError.temporary("cannot connect to \(configuration.host):\(configuration.port): \(error)")
        }
        do {
            try await converse(connection, message)
            await connection.close()
        } catch let error as MailDeliveryError {
            await connection.close()
            throw error
        } catch {
            await connection.close()
            throw MailDeliveryError.temporary("\(configuration.host):\(configuration.port): \(error)")
        }
    }

    private func converse(_ connection: SMTPConnection, _ message: MailMessage) async throws {
        try expect(try await connection.readReply(), 220, "greeting")
        var extensions = try await hello(connection)
        var secure = configuration.security == .implicitTLS
        if !secure, extensions.contains("STARTTLS") {
            try expect(try await connection.send("STARTTLS"), 220, "STARTTLS")
            try await connection.startTLS(tls, host: configuration.host)
            secure = true
            extensions = try await hello(connection)
        }
        if let username = configuration.username, let password = configuration.password {
            guard secure else {
                throw MailDeliveryError.permanent("\(configuration.host) offers no TLS; refusing to send the password in clear")
            }
            try await authenticate(connection, username: username, password: password, extensions: extensions)
        }
        try expect(try await connection.send("MAIL FROM:<\(configuration.senderAddress)>"), 250, "MAIL FROM")
        try expect(try await connection.send("RCPT TO:<\(message.to)>"), 250, "RCPT TO", alsoAccept: [251])
        try expect(try await connection.send("DATA"), 354, "DATA")
        let domain = configuration.senderAddress.split(separator: "@").last.map(String.init) ?? "event-booking.localhost"
        let text = message.rendered(from: configuration.from, date: Date(), messageID: "\(UUID().uuidString.lowercased())@\(domain)")
        try await connection.write(Self.dotStuffed(text) + ".\r\n")
        try expect(try await connection.readReply(), 250, "end of data")
        _ = try? await connection.send("QUIT")
    }

    /// EHLO, and the extension keywords the server announced (`STARTTLS`, `AUTH PLAIN LOGIN`, ...).
    private func hello(_ connection: SMTPConnection) async throws -> Set<String> {
        let reply = try await connection.send("EHLO \(configuration.clientName)")
        try expect(reply, 250, "EHLO")
        var keywords: Set<String> = []
        for line in reply.lines.dropFirst() {
            let words = line.uppercased().split(separator: " ").map(String.init)
            guard let first = words.first else { continue }
            keywords.insert(first)
            if first == "AUTH" { for mechanism in words.dropFirst() { keywords.insert("AUTH=\(mechanism)") } }
        }
        return keywords
    }

    private func authenticate(_ connection: SMTPConnection, username: String, password: String, extensions: Set<String>) async throws {
        if extensions.contains("AUTH=PLAIN") {
            let credentials = Data("\u{0}\(username)\u{0}\(password)".utf8).base64EncodedString()
            try expect(try await connection.send("AUTH PLAIN \(credentials)"), 235, "AUTH PLAIN")
        } else if extensions.contains("AUTH=LOGIN") {
            try expect(try await connection.send("AUTH LOGIN"), 334, "AUTH LOGIN")
            try expect(try await connection.send(Data(username.utf8).base64EncodedString()), 334, "AUTH LOGIN user")
            try expect(try await connection.send(Data(password.utf8).base64EncodedString()), 235, "AUTH LOGIN password")
        } else {
            throw MailDeliveryError.permanent("\(configuration.host) offers neither AUTH PLAIN nor AUTH LOGIN")
        }
    }

    /// A 5xx is permanent (the server refuses: bad credentials, unknown recipient); anything else
    /// unexpected may pass, so it is temporary.
    private func expect(_ reply: SMTPReply, _ code: Int, _ step: String, alsoAccept: Set<Int> = []) throws {
        guard reply.code != code, !alsoAccept.contains(reply.code) else { return }
        let reason = "\(step) refused by \(configuration.host): \(reply.text)"
        throw (500...599).contains(reply.code) ? MailDeliveryError.permanent(reason) : MailDeliveryError.temporary(reason)
    }

    /// RFC 5321 4.5.2: a line that starts with a dot gets a second one; line ends are CRLF.
    static func dotStuffed(_ text: String) -> String {
        // Unix line ends first: Swift sees "\r\n" as one Character, which "\n" never equals.
        let unix = text.replacingOccurrences(of: "\r\n", with: "\n")
        return unix.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? ".\($0)" : String($0) }
            .joined(separator: "\r\n")
            .appending(unix.hasSuffix("\n") ? "" : "\r\n")
    }
}
