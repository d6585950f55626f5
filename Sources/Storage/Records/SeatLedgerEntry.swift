import Foundation
import GRDB

/// Why an event's available seats changed.
public enum SeatChangeReason: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// The balance an event had when the ledger began (events created before it existed).
    case openingBalance = "OPENING_BALANCE"
    case eventCreated = "EVENT_CREATED"
    case booked = "BOOKED"
    case cancelled = "CANCELLED"
    case capacityChanged = "CAPACITY_CHANGED"
    case eventCancelled = "EVENT_CANCELLED"
    case holdPlaced = "HOLD_PLACED"
    case holdReleased = "HOLD_RELEASED"
    case holdExpired = "HOLD_EXPIRED"
    case holdConfirmed = "HOLD_CONFIRMED"
}

/// A row of `seat_ledger`: one change to an event's available seats, written in the transaction that made it.
public struct SeatLedgerEntry: Sendable, Equatable {
    public var id: Int64
    public var eventId: Int64
    /// The change to `availableSeats`.
    public var delta: Int
    public var reason: SeatChangeReason
    public var availableAfter: Int
    /// The event's version after the change.
    public var version: Int
    public var bookingReference: String?
    public var holdReference: String?
    /// Who made the change; nil when the service did (an expiry, the migration).
    public var actorId: Int64?
    public var createdAt: Date

    init(row: Row) {
        id = row["id"]
        eventId = row["event_id"]
        delta = row["delta"]
        reason = row["reason"]
        availableAfter = row["available_after"]
        version = row["version"]
        bookingReference = row["booking_reference"]
        holdReference = row["hold_reference"]
        actorId = row["actor_id"]
        createdAt = row["created_at"]
    }
}

/// A confirmed booking of an event with its booker, as the organizer's attendee list shows it.
public struct Attendee: Sendable, Equatable {
    public var booking: Booking
    public var firstname: String
    public var lastname: String
    public var email: String

    init(row: Row) throws {
        booking = try Booking(row: row)
        firstname = row["booker_firstname"]
        lastname = row["booker_lastname"]
        email = row["booker_email"]
    }
}
