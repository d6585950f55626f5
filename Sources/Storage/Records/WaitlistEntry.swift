import Foundation
import GRDB

/// The life of a waitlist entry: `WAITING` in line, `OFFERED` a hold, and then `CONVERTED` (the hold was
/// confirmed), `EXPIRED` (the offer lapsed, was declined, or the event was cancelled) or `LEFT`.
public enum WaitlistStatus: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case waiting = "WAITING"
    case offered = "OFFERED"
    case converted = "CONVERTED"
    case expired = "EXPIRED"
    case left = "LEFT"
}

/// A row of `waitlist_entries`, with its place in line.
public struct WaitlistEntry: Sendable, Equatable {
    public var id: Int64
    public var waitlistReference: String
    public var eventId: Int64
    public var userId: Int64
    public var seatCount: Int
    public var status: WaitlistStatus
    /// 1 for the first WAITING entry of the event; nil once the entry no longer waits.
    public var position: Int?
    /// The hold offered to this entry.
    public var holdReference: String?
    /// The event's title, for lists that show entries of many events.
    public var eventTitle: String
    public var createdAt: Date
    public var updatedAt: Date

    /// Decodes a row of `WaitlistEntry.selectSQL`.
    init(row: Row) {
        id = row["id"]
        waitlistReference = row["waitlist_reference"]
        eventId = row["event_id"]
        userId = row["user_id"]
        seatCount = row["seat_count"]
        status = row["status"]
        position = row["position"]
        holdReference = row["hold_reference"]
        eventTitle = row["event_title"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
    }

    /// An entry with its hold's reference and, while it waits, its position: the WAITING entries of its event
    /// up to it, counted on `waitlist_queue`.
    static let selectSQL = """
        SELECT waitlist_entries.*, holds.hold_reference AS hold_reference, events.title AS event_title,
               CASE WHEN waitlist_entries.status = 'WAITING' THEN
                   (SELECT COUNT(*) FROM waitlist_entries AS ahead
                    WHERE ahead.event_id = waitlist_entries.event_id AND ahead.status = 'WAITING' AND ahead.id <= waitlist_entries.id)
               END AS position
        FROM waitlist_entries JOIN events ON events.id = waitlist_entries.event_id
        LEFT JOIN holds ON holds.id = waitlist_entries.hold_id
        """
}
