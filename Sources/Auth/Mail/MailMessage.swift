import Foundation

/// One plain-text mail to one recipient.
public struct MailMessage: Sendable, Equatable {
    public var to: String
    public var subject: String
    public var text: String

    public init(to: String, subject: String, text: String) {
        self.to = to
        self.subject = subject
        self.text = text
    }

    /// The message as RFC 5322 text with CRLF line ends, from `from`, dated `date`.
    public func rendered(from: String, date: Date, messageID: String) -> String {
        let dateFormatter = DateFormatter()
        dateFormatter.locale = Locale(identifier: "en_US_POSIX")
        dateFormatter.timeZone = TimeZone(identifier: "UTC")
        dateFormatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let headers = [
            "From: \(from)",
            "To: \(to)",
            "Subject: \(subject)",
            "Date: \(dateFormatter.string(from: date))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
        ]
        let body = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + body + "\r\n"
    }
}

/// Delivers mail. `log` and `file` exist; `smtp` comes with the durable outbox.
public protocol MailTransport: Sendable {
    func send(_ message: MailMessage) async throws
}

extension MailMessage {
    /// The mail that carries a registration code.
    public static func registrationCode(_ code: String, to email: String, lifetimeMinutes: Int) -> MailMessage {
        MailMessage(
            to: email,
            subject: "Your Event Booking verification code",
            text: """
                Your verification code is \(code).

                It is valid for \(lifetimeMinutes) minutes and can be used once.
                If you did not ask to register, ignore this mail.
                """)
    }
}
