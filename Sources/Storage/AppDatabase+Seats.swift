import Foundation
import GRDB

/// The seat moves every writer command is made of, each guarded by the event's version: a move that finds
/// another version (or, taking, too few seats) changes nothing and says so, and the command re-reads.
extension AppDatabase {
    /// Takes `count` seats of event `eventId` if it is still at `version` with the seats; false otherwise.
    static func takeSeats(_ count: Int, of eventId: Int64, atVersion version: Int, stamp: String, _ db: Database) throws -> Bool {
        try db.executeDirectly(
            """
            UPDATE events SET available_seats = available_seats - ?, version = version + 1, updated_at = ?
            WHERE id = ? AND version = ? AND available_seats >= ?
            """,
            .integer(count), .text(stamp), .integer(eventId), .integer(version), .integer(count))
        return db.changesCount == 1
    }

    /// Gives `count` seats back to event `eventId` if it is still at `version`; false otherwise.
    static func returnSeats(_ count: Int, to eventId: Int64, atVersion version: Int, stamp: String, _ db: Database) throws -> Bool {
        try db.cachedStatement(
            sql: "UPDATE events SET available_seats = available_seats + ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?"
        ).execute(arguments: [count, stamp, eventId, version])
        return db.changesCount == 1
    }

    /// Moves event `eventId` to the next version without changing its seats (a hold turned into a booking).
    static func bumpVersion(of eventId: Int64, atVersion version: Int, stamp: String, _ db: Database) throws -> Bool {
        try db.cachedStatement(sql: "UPDATE events SET version = version + 1, updated_at = ? WHERE id = ? AND version = ?")
            .execute(arguments: [stamp, eventId, version])
        return db.changesCount == 1
    }

    /// The seats `userId` has on event `eventId`: confirmed bookings and holds that are active and not lapsed at `stamp`.
    static func seatsHeld(byUser userId: Int64, onEvent eventId: Int64, stamp: String, _ db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: seatsHeldSQL), arguments: [userId, eventId, userId, eventId, stamp]) ?? 0
    }

    /// Read by every booking and hold of a capped event, in the writer. It goes through the user's rows, never the
    /// event's: while bookings had an index on event_id, SQLite took it (it has no statistics to choose by) and
    /// read every booking of the event, so a rush on a capped event slowed with each booking it took (1,943, then
    /// 737, then 564 bookings/s in three 6-second rushes). A user's bookings are few; a popular event's are not.
    static let seatsHeldSQL = """
        SELECT (SELECT COALESCE(SUM(seat_count), 0) FROM bookings INDEXED BY bookings_user_created_at
                WHERE user_id = ? AND event_id = ? AND status = 'CONFIRMED')
             + (SELECT COALESCE(SUM(seat_count), 0) FROM holds INDEXED BY holds_user_event
                WHERE user_id = ? AND event_id = ? AND status = 'ACTIVE' AND expires_at > ?)
        """

    /// Refuses `seatCount` more seats for `userId` when they would pass the event's `maxSeatsPerUser`.
    /// Runs in the writer's transaction, so no two commands of one user can both pass it.
    static func requireAllowance(for userId: Int64, of event: Event, seatCount: Int, stamp: String, _ db: Database) throws {
        guard let cap = event.maxSeatsPerUser, let remaining = try allowance(for: userId, of: event, stamp: stamp, db) else { return }
        if seatCount > remaining { throw StorageError.userSeatLimit(limit: cap, remaining: remaining) }
    }

    /// How many more seats `userId` may have on `event`; nil when the event has no cap.
    static func allowance(for userId: Int64, of event: Event, stamp: String, _ db: Database) throws -> Int? {
        guard let cap = event.maxSeatsPerUser else { return nil }
        return max(0, cap - (try seatsHeld(byUser: userId, onEvent: event.id!, stamp: stamp, db)))
    }
}
