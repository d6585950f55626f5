import Foundation
import GRDB

/// The life of a hold: `ACTIVE` from its commit until it is confirmed, released by its holder, or lapses.
public enum HoldStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case active = "ACTIVE"
    /// Turned into a booking (`Hold.bookingId`).
    case confirmed = "CONFIRMED"
    /// Given back by its holder, or by the organizer cancelling the event.
    case released = "RELEASED"
    case expired = "EXPIRED"
}

/// A row of `holds`: seats taken out of `availableSeats` until `expiresAt`, for one user to confirm.
public struct Hold: Sendable, Equatable {
    public var id: Int64
    public var holdReference: String
    public var eventId: Int64
    public var userId: Int64
    public var seatCount: Int
    public var status: HoldStatus
    /// Fixed when the hold is made.
    public var expiresAt: Date
    /// The booking a confirmed hold became.
    public var bookingId: Int64?
    public var createdAt: Date
    public var updatedAt: Date

    init(row: Row) {
        id = row["id"]
        holdReference = row["hold_reference"]
        eventId = row["event_id"]
        userId = row["user_id"]
        seatCount = row["seat_count"]
        status = row["status"]
        expiresAt = row["expires_at"]
        bookingId = row["booking_id"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
    }

    /// True once `now` has reached `expiresAt`, whether or not the sweep has marked it yet.
    public func hasLapsed(at now: Date) -> Bool { now >= expiresAt }
}

/// A hold with the summary of its event that every answer shows.
public struct HoldDetails: Sendable, Equatable {
    public var hold: Hold
    public var eventTitle: String
    public var eventDate: Date?
    public var eventStatus: EventStatus

    init(hold: Hold, event: Event) {
        self.hold = hold
        self.eventTitle = event.title
        self.eventDate = event.eventDate
        self.eventStatus = event.status
    }

    /// Decodes a row of `HoldDetails.selectSQL`.
    init(row: Row) {
        hold = Hold(row: row)
        eventTitle = row["event_title"]
        eventDate = row["event_date"]
        eventStatus = row["event_status"]
    }

    static let selectSQL = """
        SELECT holds.*, events.title AS event_title, events.event_date AS event_date, events.status AS event_status
        FROM holds JOIN events ON events.id = holds.event_id
        """
}

/// What a hold request came to.
public enum HoldOutcome: Sendable {
    case created(HoldDetails)
    /// The same idempotency key and body were seen before: the hold that key made, as it is now.
    case replayed(HoldDetails)
}
