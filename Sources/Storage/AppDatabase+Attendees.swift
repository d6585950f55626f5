import Foundation
import GRDB

extension AppDatabase {
    /// A page of the confirmed bookings of an event `actorId` organizes, in booking order, with their bookers.
    public func attendees(eventId: Int64, actorId: Int64, page: PageRequest) async throws -> Page<Attendee> {
        try await pool.read { db in
            try Self.requireOrganizer(of: eventId, actorId: actorId, db)
            let total = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM event_bookings WHERE event_id = ? AND status = 'CONFIRMED'", arguments: [eventId]) ?? 0
            let attendees = try db.decodeAll(
                sql: "\(Self.attendeeSQL) ORDER BY booking.id LIMIT ? OFFSET ?", arguments: [eventId, page.limit, page.offset], Attendee.init(row:))
            return Page(items: attendees, total: total, request: page)
        }
    }

    /// Up to `limit` attendees of an event `actorId` organizes, in booking order, after booking `afterId`:
    /// an export reads the whole list this way, a slice at a time.
    public func attendees(eventId: Int64, actorId: Int64, afterId: Int64, limit: Int) async throws -> [Attendee] {
        try await pool.read { db in
            try Self.requireOrganizer(of: eventId, actorId: actorId, db)
            return try db.decodeAll(
                sql: "\(Self.attendeeSQL) AND booking.id > ? ORDER BY booking.id LIMIT ?", arguments: [eventId, afterId, limit], Attendee.init(row:))
        }
    }

    /// Checks in booking `reference` at the door, for the organizer of its event. Checking in again changes
    /// nothing and answers the same time: scanners retry.
    public func checkIn(reference: String, actorId: Int64, now: Date = Date()) async throws -> BookingDetails {
        try await write { db in
            guard let details = try Self.fetchBookingDetails(reference: reference, db) else { throw StorageError.notFound(.booking) }
            guard details.eventOrganizerId == actorId else { throw StorageError.forbidden(.booking) }
            guard details.booking.status == .confirmed else { throw StorageError.bookingCancelled }
            if details.booking.checkedInAt != nil { return details }
            let stamp = DatabaseTimestamp.string(now)
            try db.execute(
                sql: "UPDATE bookings SET checked_in_at = ?, updated_at = ? WHERE id = ? AND checked_in_at IS NULL",
                arguments: [stamp, stamp, details.booking.id])
            // Read back: the stored text is what every later answer shows.
            return try Self.fetchBookingDetails(reference: reference, db) ?? details
        }
    }

    static let attendeeSQL = """
        SELECT booking.*, users.firstname AS booker_firstname, users.lastname AS booker_lastname, users.email AS booker_email
        FROM event_bookings AS booking JOIN users ON users.id = booking.user_id
        WHERE booking.event_id = ? AND booking.status = 'CONFIRMED'
        """
}
