import Foundation

/// One mail to one recipient: a subject, a plain-text body and, usually, an HTML alternative.
public struct MailMessage: Codable, Sendable, Equatable {
    public var to: String
    public var subject: String
    public var text: String
    public var html: String?

    public init(to: String, subject: String, text: String, html: String? = nil) {
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
    }

    /// RFC 5322's date, always in UTC: "Wed, 25 Nov 2026 12:45:23 +0000".
    static let dateStyle = Date.VerbatimFormatStyle(
        format: """
            \(weekday: .abbreviated), \(day: .twoDigits) \(month: .abbreviated) \(year: .defaultDigits) \
            \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) +0000
            """,
        locale: Locale(identifier: "en_US_POSIX"), timeZone: .gmt, calendar: Calendar(identifier: .gregorian))

    /// The message as RFC 5322 text with CRLF line ends: UTF-8 bodies (quoted-printable), an RFC 2047
    /// encoded subject when it is not ASCII, and multipart/alternative when there is HTML.
    public func rendered(from: String, date: Date, messageID: String) -> String {
        var headers = [
            "From: \(from)",
            "To: \(to)",
            "Subject: \(Self.encodedHeader(subject))",
            "Date: \(date.formatted(Self.dateStyle))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
        ]
        let body: String
        if let html {
            let boundary = "=_\(messageID.prefix(24).filter { $0.isLetter || $0.isNumber })"
            headers.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            body = [
                "--\(boundary)", Self.part(text, type: "text/plain"),
                "--\(boundary)", Self.part(html, type: "text/html"),
                "--\(boundary)--",
            ].joined(separator: "\r\n")
        } else {
            headers.append("Content-Type: text/plain; charset=utf-8")
            headers.append("Content-Transfer-Encoding: quoted-printable")
            body = Self.quotedPrintable(text)
        }
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + body + "\r\n"
    }

    private static func part(_ content: String, type: String) -> String {
        "Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\(quotedPrintable(content))"
    }

    /// RFC 2047 `=?UTF-8?B?...?=` for a header with anything but printable ASCII, split into short words.
    static func encodedHeader(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: { !(0x20...0x7E).contains($0.value) }) else { return value }
        var words: [String] = []
        var chunk = ""
        for character in value {
            if (chunk + String(character)).utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    /// Quoted-printable (RFC 2045) with CRLF line ends and soft breaks under 76 characters.
    static func quotedPrintable(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n")
        return normalized.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var encoded = ""
            var width = 0
            let bytes = Array(line.utf8)
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let plain = (byte >= 33 && byte <= 126 && byte != 61) || ((byte == 32 || byte == 9) && !isLast)
                let piece = plain ? String(UnicodeScalar(byte)) : String(format: "=%02X", byte)
                if width + piece.count > 75 {
                    encoded += "=\r\n"
                    width = 0
                }
                encoded += piece
                width += piece.count
            }
            return encoded
        }.joined(separator: "\r\n")
    }
}

/// Delivers one mail. A transport throws `MailDeliveryError` so the outbox knows whether to try again.
public protocol MailTransport: Sendable {
    func send(_ message: MailMessage) async throws
}

/// A failed delivery: `temporary` ones are tried again later, `permanent` ones (a 5xx from the server)
/// mark the message failed.
public enum MailDeliveryError: Error, Equatable, Sendable, CustomStringConvertible {
    case temporary(String)
    case permanent(String)

    public var description: String {
        switch self {
        case .temporary(let reason): "temporary: \(reason)"
        case .permanent(let reason): "permanent: \(reason)"
        }
    }
}
