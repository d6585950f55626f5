import Foundation

/// Where and how to deliver mail over SMTP. The names follow the original project's settings.
public struct SMTPConfiguration: Sendable {
    public enum Security: Sendable, Equatable {
        /// Plain connect, then STARTTLS whenever the server offers it (port 587 or 25).
        case startTLSWhenOffered
        /// TLS from the first byte (`MAIL_SECURE=true`, port 465).
        case implicitTLS
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// The `From` header, e.g. `Event Booking <no-reply@example.com>`; its address is the envelope sender.
    public var from: String
    /// A PEM file of trusted CA certificates (a private CA); nil: the system trust store.
    public var trustedCAFile: String?
    /// The longest any one step (connect, each reply, the TLS handshake) may take.
    public var timeout: TimeInterval
    /// The name this client gives in EHLO.
    public var clientName: String

    public init(
        host: String, port: Int, security: Security = .startTLSWhenOffered, username: String? = nil, password: String? = nil,
        from: String, trustedCAFile: String? = nil, timeout: TimeInterval = 30, clientName: String = "event-booking.localhost"
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.from = from
        self.trustedCAFile = trustedCAFile
        self.timeout = timeout
        self.clientName = clientName
    }

    /// The bare address of `from` (`a@b` of `Name <a@b>`).
    var senderAddress: String {
        guard let open = from.lastIndex(of: "<"), let close = from.lastIndex(of: ">"), open < close else {
            return from.trimmingCharacters(in: .whitespaces)
        }
        return String(from[from.index(after: open)..<close])
    }
}

/// Printed without the password, wherever a configuration ends up as text.
extension SMTPConfiguration: CustomStringConvertible {
    public var description: String {
        "SMTPConfiguration(\(host):\(port), \(security), user: \(username ?? "none"), password: \(password == nil ? "none" : "set"), from: \(from))"
    }
}
