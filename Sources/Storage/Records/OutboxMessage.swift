import Foundation
import GRDB

/// What an outbox mail is about. Booking mails are rendered from their booking when delivered.
public enum OutboxMailKind: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// The registration code: the only mail stored as a message, sealed, because the code is a secret.
    case oneTimeCode = "one-time-code"
    case bookingConfirmed = "booking-confirmed"
    /// Cancelled by its booker.
    case bookingCancelled = "booking-cancelled"
    /// Cancelled because the organizer cancelled the event.
    case eventCancelled = "event-cancelled"
    /// A waitlist entry's turn came: seats are held for it.
    case holdOffered = "hold-offered"
    /// A hold lapsed unconfirmed.
    case holdExpired = "hold-expired"
}

/// A message sealed by its sender (Mail encrypts it); opaque to Storage.
public struct SealedMail: Sendable, Equatable {
    public var recipient: String
    public var payload: [UInt8]

    public init(recipient: String, payload: [UInt8]) {
        self.recipient = recipient
        self.payload = payload
    }
}

/// Where an outbox message stands: waiting (maybe after failed tries), delivered, or given up.
public enum OutboxStatus: String, Codable, Sendable, DatabaseValueConvertible {
    case pending = "PENDING"
    case sent = "SENT"
    case failed = "FAILED"
}

/// A pending outbox message with everything its delivery needs.
public struct OutboxMessage: Sendable, Equatable {
    /// The booker of a booking mail, as the mail addresses them.
    public struct Booker: Sendable, Equatable {
        public var email: String
        public var firstname: String
    }

    public enum Content: Sendable, Equatable {
        /// A message sealed when it was queued (a one-time code, or any mail queued before v3).
        case sealed(SealedMail)
        /// A booking mail, about the booking as it is now.
        case booking(BookingDetails, booker: Booker)
        /// A hold mail, about the hold as it is now; `booker` is its holder.
        case hold(HoldDetails, booker: Booker)
    }

    public var id: Int64
    public var kind: OutboxMailKind
    /// Failed tries so far.
    public var attempts: Int
    public var content: Content
}
