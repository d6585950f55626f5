import Foundation
import Storage

/// Turns outbox messages into mails. A booking mail is rendered from its booking when it is delivered;
/// only the one-time code's mail is rendered when it is queued, and sealed, because the code is a secret.
public struct Mailer: Sendable {
    let templates: MailTemplates
    let sealer: MailSealer
    /// Wakes the delivery service when a transaction has added mail.
    public let wakeUp: OutboxWakeUp

    public init(templates: MailTemplates, sealer: MailSealer, wakeUp: OutboxWakeUp) {
        self.templates = templates
        self.sealer = sealer
        self.wakeUp = wakeUp
    }

    /// The registration code's mail, sealed for the outbox.
    public func oneTimeCode(_ code: String, to email: String, lifetime: TimeInterval) throws -> SealedMail {
        let message = templates.oneTimeCode(code, to: email, lifetimeMinutes: Int((lifetime / 60).rounded()))
        return SealedMail(recipient: message.to, payload: try sealer.seal(message))
    }

    /// The mail `message` stands for; throws when a sealed payload cannot be opened with this key, or when
    /// the message cannot be a mail (then it will never be one, and the outbox marks it failed).
    public func mail(for message: OutboxMessage) throws -> MailMessage {
        switch message.content {
        case .sealed(let sealed):
            return try sealer.open(sealed.payload)
        case .booking(let details, let booker):
            let content = BookingMailContent(
                firstname: booker.firstname, eventTitle: details.eventTitle, eventDate: Self.humanDate(details.eventDate),
                seatCount: details.booking.seatCount, bookingReference: details.booking.bookingReference)
            switch message.kind {
            case .oneTimeCode:
                // A code's mail is always sealed with its code; without it there is nothing to send.
                throw MailerError.codeMailWithoutCode(outboxId: message.id)
            case .bookingConfirmed:
                return templates.bookingConfirmed(content, to: booker.email)
            case .bookingCancelled:
                return templates.bookingCancelled(content, to: booker.email, byOrganizer: false)
            case .eventCancelled:
                return templates.bookingCancelled(content, to: booker.email, byOrganizer: true)
            case .holdOffered, .holdExpired:
                throw MailerError.kindDoesNotMatch(outboxId: message.id)
            }
        case .hold(let details, let holder):
            let content = HoldMailContent(
                firstname: holder.firstname, eventTitle: details.eventTitle, eventDate: Self.humanDate(details.eventDate),
                seatCount: details.hold.seatCount, holdReference: details.hold.holdReference, expiresAt: Self.humanDate(details.hold.expiresAt))
            switch message.kind {
            case .holdOffered:
                return templates.holdOffered(content, to: holder.email)
            case .holdExpired:
                return templates.holdExpired(content, to: holder.email)
            default:
                throw MailerError.kindDoesNotMatch(outboxId: message.id)
            }
        }
    }

    /// "Tue, 1 Jun 2027, 19:00 UTC", or "to be announced": how mails and pages show a date to people. The
    /// fields come from `UTCDateTime`, not a format style: ICU's formatting was the larger part of rendering a
    /// booking's mail. (Years outside `UTCDateTime.fastYears`, which no date of the service's has, go through
    /// the style.)
    public static func humanDate(_ date: Date?) -> String {
        guard let date else { return "to be announced" }
        let time = UTCDateTime(date)
        guard UTCDateTime.fastYears.contains(time.year) else { return date.formatted(humanDateStyle) }
        func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        let day = "\(weekdays[time.weekday]), \(time.day) \(months[time.month - 1]) \(time.year)"
        return "\(day), \(twoDigits(time.hour)):\(twoDigits(time.minute)) UTC"
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The same in Foundation's terms: the tests hold the two equal.
    static let humanDateStyle = Date.VerbatimFormatStyle(
        format: """
            \(weekday: .abbreviated), \(day: .defaultDigits) \(month: .abbreviated) \(year: .defaultDigits), \
            \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits) UTC
            """,
        locale: Locale(identifier: "en_US_POSIX"), timeZone: .gmt, calendar: Calendar(identifier: .gregorian))
}

/// An outbox message that can never become a mail.
public enum MailerError: Error, Equatable {
    case codeMailWithoutCode(outboxId: Int64)
    /// A booking mail kind on a hold, or the other way round: the row was not written by this service.
    case kindDoesNotMatch(outboxId: Int64)
}
