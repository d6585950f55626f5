import Auth
import Foundation
import Storage

/// Turns what happened (a code issued, a booking confirmed or cancelled) into sealed outbox mails,
/// rendered from the mail templates. The mails are written to the outbox by the same transaction.
struct Mailer: Sendable {
    let templates: MailTemplates
    let sealer: MailSealer
    /// Wakes the delivery service when a transaction has added mail.
    let wakeUp: OutboxWakeUp

    func oneTimeCode(_ code: String, to email: String, lifetime: TimeInterval) throws -> OutboxMail {
        try seal("one-time-code", templates.oneTimeCode(code, to: email, lifetimeMinutes: Int((lifetime / 60).rounded())))
    }

    func bookingConfirmed(_ details: BookingDetails, booker: User) throws -> OutboxMail {
        try seal("booking-confirmed", templates.bookingConfirmed(Self.content(details, booker), to: booker.email))
    }

    func bookingCancelled(_ details: BookingDetails, booker: User, byOrganizer: Bool) throws -> OutboxMail {
        try seal("booking-cancelled", templates.bookingCancelled(Self.content(details, booker), to: booker.email, byOrganizer: byOrganizer))
    }

    private func seal(_ kind: String, _ message: MailMessage) throws -> OutboxMail {
        OutboxMail(kind: kind, recipient: message.to, payload: try sealer.seal(message))
    }

    private static func content(_ details: BookingDetails, _ booker: User) -> BookingMailContent {
        BookingMailContent(
            firstname: booker.firstname, eventTitle: details.eventTitle, eventDate: humanDate(details.eventDate),
            seatCount: details.booking.seatCount, bookingReference: details.booking.bookingReference)
    }

    /// "Tue, 1 Jun 2027, 19:00 UTC", or "to be announced".
    static func humanDate(_ date: Date?) -> String {
        date.map { $0.formatted(humanDateStyle) } ?? "to be announced"
    }

    // A format style, not a DateFormatter per mail: building a formatter cost more than the rest of a booking's mail.
    private static let humanDateStyle = Date.VerbatimFormatStyle(
        format: """
            \(weekday: .abbreviated), \(day: .defaultDigits) \(month: .abbreviated) \(year: .defaultDigits), \
            \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits) UTC
            """,
        locale: Locale(identifier: "en_US_POSIX"), timeZone: .gmt, calendar: Calendar(identifier: .gregorian))
}
