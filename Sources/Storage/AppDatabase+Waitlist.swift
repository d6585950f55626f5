import Foundation
import GRDB

/// Waitlists, served by the writer.
///
/// The rule: whenever seats come back to an event (a cancellation, a hold released or lapsed, more seats),
/// the writer walks its WAITING entries in the order they joined and offers each entry that fits the free
/// seats (and its user's cap) a hold of its seats, in the same transaction. An entry that does not fit keeps
/// its place, and later, smaller entries may pass it: the seats would otherwise stay free, and free seats go
/// to anyone who books. A group is offered as soon as enough seats are free at once. Offers are holds, so a
/// waitlist can never offer more seats than exist.
extension AppDatabase {
    /// Puts `userId` in line for `seatCount` seats of event `eventId`; only while fewer seats are available.
    public func joinWaitlist(eventId: Int64, seatCount: Int, userId: Int64, now: Date = Date()) async throws -> WaitlistEntry {
        let stamp = DatabaseTimestamp.string(now)
        // The lapsed holds it may have expired changed the event.
        defer { eventChanged(eventId) }
        return try await writer.submit { [self] db in
            guard var event = try Self.fetchEvent(id: eventId, db), Self.isVisible(event, to: userId) else {
                throw StorageError.notFound(.event)
            }
            guard event.status == .published else { throw StorageError.eventNotBookable(event.status) }
            if let date = event.eventDate, date <= now { throw StorageError.eventInPast }
            guard seatCount <= event.totalSeats else { throw StorageError.waitlistAboveCapacity(totalSeats: event.totalSeats) }
            if event.availableSeats < seatCount, try !expireLapsedHolds(eventId: eventId, now: now, stamp: stamp, db).isEmpty {
                event = try Self.fetchEvent(id: eventId, db)!
            }
            guard event.availableSeats < seatCount else { throw StorageError.seatsAvailable(available: event.availableSeats) }
            try Self.requireAllowance(for: userId, of: event, seatCount: seatCount, stamp: stamp, db)
            let open = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM waitlist_entries WHERE event_id = ? AND user_id = ? AND status IN ('WAITING', 'OFFERED')",
                arguments: [eventId, userId]) ?? 0
            guard open == 0 else { throw StorageError.alreadyOnWaitlist }
            try db.execute(
                sql: """
                    INSERT INTO waitlist_entries (waitlist_reference, event_id, user_id, seat_count, status, created_at, updated_at)
                    VALUES (?, ?, ?, ?, 'WAITING', ?, ?)
                    """,
                arguments: [BookingReference.make(at: now), eventId, userId, seatCount, stamp, stamp])
            return try Self.fetchEntry(id: db.lastInsertedRowID, db)!
        }
    }

    /// `userId`'s latest entry on event `eventId`, whatever its status.
    public func waitlistEntry(eventId: Int64, userId: Int64) async throws -> WaitlistEntry {
        try await pool.read { db in
            guard let event = try Self.fetchEvent(id: eventId, db), Self.isVisible(event, to: userId) else { throw StorageError.notFound(.event) }
            guard let entry = try Self.latestEntry(eventId: eventId, userId: userId, db) else { throw StorageError.notFound(.waitlistEntry) }
            return entry
        }
    }

    /// Takes `userId` out of the line of event `eventId`. An offer they had is given back: its hold is
    /// released and its seats serve the next entries.
    public func leaveWaitlist(eventId: Int64, userId: Int64, now: Date = Date()) async throws -> WaitlistEntry {
        let stamp = DatabaseTimestamp.string(now)
        let entry = try await writer.submit { [self] db in
            guard let entry = try Self.latestEntry(eventId: eventId, userId: userId, db), entry.status == .waiting || entry.status == .offered
            else { throw StorageError.notFound(.waitlistEntry) }
            try db.execute(sql: "UPDATE waitlist_entries SET status = 'LEFT', updated_at = ? WHERE id = ?", arguments: [stamp, entry.id])
            if entry.status == .offered, let reference = entry.holdReference,
                let hold = try db.decodeOne(sql: "SELECT * FROM holds WHERE hold_reference = ?", arguments: [reference], Hold.init(row:)),
                hold.status == .active, !hold.hasLapsed(at: now)
            {
                try release(hold, reason: .holdReleased, actorId: userId, now: now, stamp: stamp, db)
                try serveWaitlist(eventId: eventId, now: now, stamp: stamp, db)
            }
            return try Self.fetchEntry(id: entry.id, db)!
        }
        eventChanged(eventId)
        return entry
    }

    /// `userId`'s open entries (waiting, or offered a hold) on every event, in the order they joined.
    public func openWaitlistEntries(userId: Int64) async throws -> [WaitlistEntry] {
        try await pool.read { db in
            try db.decodeAll(
                sql: """
                    \(WaitlistEntry.selectSQL)
                    WHERE waitlist_entries.user_id = ? AND waitlist_entries.status IN ('WAITING', 'OFFERED') ORDER BY waitlist_entries.id LIMIT 100
                    """,
                arguments: [userId], WaitlistEntry.init(row:))
        }
    }

    /// The whole line of an event `actorId` organizes, every status, in the order people joined.
    public func waitlist(eventId: Int64, actorId: Int64, page: PageRequest) async throws -> Page<WaitlistEntry> {
        try await pool.read { db in
            try Self.requireOrganizer(of: eventId, actorId: actorId, db)
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM waitlist_entries WHERE event_id = ?", arguments: [eventId]) ?? 0
            let entries = try db.decodeAll(
                sql: "\(WaitlistEntry.selectSQL) WHERE waitlist_entries.event_id = ? ORDER BY waitlist_entries.id LIMIT ? OFFSET ?",
                arguments: [eventId, page.limit, page.offset], WaitlistEntry.init(row:))
            return Page(items: entries, total: total, request: page)
        }
    }

    /// Offers the free seats of event `eventId` to its WAITING entries, in order (the rule above), inside the
    /// caller's transaction. Does nothing unless the event is published and in the future.
    func serveWaitlist(eventId: Int64, now: Date, stamp: String, _ db: Database) throws {
        guard var event = try Self.fetchEvent(id: eventId, db), event.status == .published, event.availableSeats > 0 else { return }
        if let date = event.eventDate, date <= now { return }
        let waiting = try db.decodeAll(
            sql: "SELECT id, user_id, seat_count FROM waitlist_entries WHERE event_id = ? AND status = 'WAITING' AND seat_count <= ? ORDER BY id",
            arguments: [eventId, event.availableSeats]
        ) { (id: $0["id"] as Int64, userId: $0["user_id"] as Int64, seatCount: $0["seat_count"] as Int) }
        for entry in waiting where entry.seatCount <= event.availableSeats {
            if let remaining = try Self.allowance(for: entry.userId, of: event, stamp: stamp, db), entry.seatCount > remaining {
                continue  // this user may not have more seats now; the entry keeps its place
            }
            let (hold, held) = try withVersionGuard(
                db,
                read: { db in try Self.fetchEvent(id: eventId, db)! },
                write: { db, current in
                    try Self.insertHold(
                        reference: BookingReference.make(at: now), on: current, userId: entry.userId, seatCount: entry.seatCount,
                        actorId: nil, now: now, stamp: stamp, db)
                }
            ).result
            try db.cachedStatement(sql: "UPDATE waitlist_entries SET status = 'OFFERED', hold_id = ?, updated_at = ? WHERE id = ?")
                .execute(arguments: [hold.id, stamp, entry.id])
            try Self.enqueue(.holdOffered, holdId: hold.id, stamp: stamp, db)
            event = held
            if event.availableSeats == 0 { break }
        }
    }

    private static func fetchEntry(id: Int64, _ db: Database) throws -> WaitlistEntry? {
        try db.decodeOne(sql: "\(WaitlistEntry.selectSQL) WHERE waitlist_entries.id = ?", arguments: [id], WaitlistEntry.init(row:))
    }

    private static func latestEntry(eventId: Int64, userId: Int64, _ db: Database) throws -> WaitlistEntry? {
        try db.decodeOne(
            sql: "\(WaitlistEntry.selectSQL) WHERE waitlist_entries.event_id = ? AND waitlist_entries.user_id = ? ORDER BY waitlist_entries.id DESC LIMIT 1",
            arguments: [eventId, userId], WaitlistEntry.init(row:))
    }
}
