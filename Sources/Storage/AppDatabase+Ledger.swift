import Foundation
import GRDB

extension AppDatabase {
    /// Appends one change of event `eventId`'s available seats to the ledger; every writer command that changes
    /// them calls it with the change.
    static func recordSeatChange(
        eventId: Int64, delta: Int, reason: SeatChangeReason, availableAfter: Int, version: Int, bookingReference: String? = nil,
        holdReference: String? = nil, actorId: Int64?, stamp: String, _ db: Database
    ) throws {
        try db.executeDirectly(
            """
            INSERT INTO seat_ledger (event_id, delta, reason, available_after, version, booking_reference, hold_reference, actor_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            .integer(eventId), .integer(delta), .text(reason.rawValue), .integer(availableAfter), .integer(version), .text(bookingReference),
            .text(holdReference), .integer(actorId), .text(stamp))
    }

    /// Up to `limit` ledger entries of an event `actorId` organizes, oldest first, after entry `afterId`:
    /// an export reads the whole ledger this way, a slice at a time.
    public func seatLedger(eventId: Int64, actorId: Int64, afterId: Int64, limit: Int) async throws -> [SeatLedgerEntry] {
        try await pool.read { db in
            try Self.requireOrganizer(of: eventId, actorId: actorId, db)
            return try db.decodeAll(
                sql: "SELECT * FROM event_seat_ledger WHERE event_id = ? AND id > ? ORDER BY id LIMIT ?", arguments: [eventId, afterId, limit],
                SeatLedgerEntry.init(row:))
        }
    }

    /// A page of the ledger of an event `actorId` organizes, oldest first.
    public func seatLedger(eventId: Int64, actorId: Int64, page: PageRequest) async throws -> Page<SeatLedgerEntry> {
        try await pool.read { db in
            try Self.requireOrganizer(of: eventId, actorId: actorId, db)
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event_seat_ledger WHERE event_id = ?", arguments: [eventId]) ?? 0
            let entries = try db.decodeAll(
                sql: "SELECT * FROM event_seat_ledger WHERE event_id = ? ORDER BY id LIMIT ? OFFSET ?", arguments: [eventId, page.limit, page.offset],
                SeatLedgerEntry.init(row:))
            return Page(items: entries, total: total, request: page)
        }
    }

    /// Event `eventId`, unless it does not exist or `actorId` may not see it (`notFound`) or does not organize
    /// it (`forbidden`).
    @discardableResult
    static func requireOrganizer(of eventId: Int64, actorId: Int64, _ db: Database) throws -> Event {
        guard let event = try fetchEvent(id: eventId, db), isVisible(event, to: actorId) else { throw StorageError.notFound(.event) }
        guard event.organizerId == actorId else { throw StorageError.forbidden(.event) }
        return event
    }
}
