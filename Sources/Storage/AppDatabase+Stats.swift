import Foundation
import GRDB

/// An event's numbers for its organizer.
public struct EventStats: Sendable, Equatable {
    /// The bookings made on one day (UTC), whatever became of them since.
    public struct Day: Sendable, Equatable {
        public var date: String
        public var bookings: Int
        public var seats: Int
    }

    public var eventId: Int64
    public var totalSeats: Int
    public var availableSeats: Int
    /// Seats of confirmed bookings.
    public var bookedSeats: Int
    /// Seats of active holds that have not lapsed.
    public var heldSeats: Int { totalSeats - availableSeats - bookedSeats }
    public var checkedInSeats: Int
    public var confirmedBookings: Int
    public var bookingsPerDay: [Day]
}

extension AppDatabase {
    /// The numbers of an event `actorId` organizes, from one read.
    public func eventStats(eventId: Int64, actorId: Int64) async throws -> EventStats {
        try await pool.read { db in
            try Self.requireOrganizer(of: eventId, actorId: actorId, db)
            // Availability as everyone reads it: a lapsed hold's seats count as available.
            let event = try Self.fetchEventDetails(id: eventId, db)!.event
            let totals = try Row.fetchOne(
                db,
                sql: """
                    SELECT COALESCE(SUM(seat_count), 0) AS booked,
                           COALESCE(SUM(CASE WHEN checked_in_at IS NOT NULL THEN seat_count END), 0) AS checked_in,
                           COUNT(*) AS bookings
                    FROM event_bookings WHERE event_id = ? AND status = 'CONFIRMED'
                    """,
                arguments: [eventId])!
            let days = try Row.fetchAll(
                db,
                sql: """
                    SELECT substr(created_at, 1, 10) AS day, COUNT(*) AS bookings, SUM(seat_count) AS seats
                    FROM event_bookings WHERE event_id = ? GROUP BY day ORDER BY day
                    """,
                arguments: [eventId]
            ).map { EventStats.Day(date: $0["day"], bookings: $0["bookings"], seats: $0["seats"]) }
            return EventStats(
                eventId: eventId, totalSeats: event.totalSeats, availableSeats: event.availableSeats, bookedSeats: totals["booked"],
                checkedInSeats: totals["checked_in"], confirmedBookings: totals["bookings"], bookingsPerDay: days)
        }
    }
}
