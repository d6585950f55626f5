import Foundation
import GRDB

extension AppDatabase {
    /// Holds `seatCount` seats of event `eventId` for `userId` until the event's hold duration has passed, in
    /// the writer's next batch. The seats leave `availableSeats` at once; the same rules as a booking apply
    /// (published, future, the seats, the user's cap, an idempotency key).
    public func placeHold(
        eventId: Int64, seatCount: Int, userId: Int64, idempotency: IdempotencyRequest? = nil, now: Date = Date()
    ) async throws -> HoldOutcome {
        let stamp = DatabaseTimestamp.string(now)
        let reference = BookingReference.make(at: now)
        let outcome = try await writer.submit { [self] db -> HoldOutcome in
            if let replay = try Self.replayedHold(for: idempotency, userId: userId, db) { return .replayed(replay) }
            let details = try withVersionGuard(
                db,
                read: { db in try bookableEvent(id: eventId, seatCount: seatCount, userId: userId, now: now, stamp: stamp, db) },
                write: { db, event -> HoldDetails? in
                    guard let (hold, held) = try Self.insertHold(
                        reference: reference, on: event, userId: userId, seatCount: seatCount, actorId: userId, now: now, stamp: stamp, db)
                    else { return nil }
                    if let idempotency {
                        try db.cachedStatement(
                            sql: "INSERT INTO hold_idempotency_keys (user_id, key, request_hash, hold_id, created_at) VALUES (?, ?, ?, ?, ?)"
                        ).execute(arguments: [userId, idempotency.key, idempotency.requestHash, hold.id, stamp])
                    }
                    return HoldDetails(hold: hold, event: held)
                }
            ).result
            return .created(details)
        }
        if case .created = outcome { eventChanged(eventId) }
        return outcome
    }

    /// The hold `reference`, for its holder only.
    public func hold(reference: String, viewerId: Int64) async throws -> HoldDetails {
        try await pool.read { db in
            guard let details = try db.decodeOne(sql: "\(HoldDetails.selectSQL) WHERE holds.hold_reference = ?", arguments: [reference], HoldDetails.init(row:))
            else { throw StorageError.notFound(.hold) }
            guard details.hold.userId == viewerId else { throw StorageError.forbidden(.hold) }
            return details
        }
    }

    /// Turns `userId`'s active hold `reference` into a confirmed booking of its seats, with the confirmation
    /// mail; a waitlist offer it came from is `CONVERTED`. After `expiresAt` this is `holdExpired`, even
    /// before the sweep has marked the hold.
    public func confirmHold(reference: String, userId: Int64, now: Date = Date()) async throws -> BookingDetails {
        let stamp = DatabaseTimestamp.string(now)
        let bookingReference = BookingReference.make(at: now)
        let confirmed = try await writer.submit { [self] db in
            try withVersionGuard(
                db,
                read: { db -> (hold: Hold, event: Event) in
                    let hold = try Self.activeHold(reference: reference, userId: userId, now: now, db)
                    let event = try Self.fetchEvent(id: hold.eventId, db)!
                    guard event.status == .published else { throw StorageError.eventNotBookable(event.status) }
                    if let date = event.eventDate, date <= now { throw StorageError.eventInPast }
                    return (hold, event)
                },
                write: { db, snapshot -> BookingDetails? in
                    let hold = snapshot.hold
                    var event = snapshot.event
                    guard try Self.bumpVersion(of: event.id!, atVersion: event.version, stamp: stamp, db) else { return nil }
                    event.version += 1
                    let booking = try Self.insertBooking(
                        reference: bookingReference, eventId: event.id!, userId: userId, seatCount: hold.seatCount, now: now, stamp: stamp, db)
                    try db.cachedStatement(
                        sql: "UPDATE holds SET status = 'CONFIRMED', booking_id = ?, updated_at = ? WHERE id = ? AND status = 'ACTIVE'"
                    ).execute(arguments: [booking.id, stamp, hold.id])
                    try db.cachedStatement(
                        sql: "UPDATE waitlist_entries SET status = 'CONVERTED', updated_at = ? WHERE hold_id = ? AND status = 'OFFERED'"
                    ).execute(arguments: [stamp, hold.id])
                    try Self.enqueue(.bookingConfirmed, bookingId: booking.id!, stamp: stamp, db)
                    try Self.recordSeatChange(
                        eventId: event.id!, delta: 0, reason: .holdConfirmed, availableAfter: event.availableSeats, version: event.version,
                        bookingReference: booking.bookingReference, holdReference: hold.holdReference, actorId: userId, stamp: stamp, db)
                    return BookingDetails(booking: booking, event: event)
                }
            ).result
        }
        eventChanged(confirmed.booking.eventId)
        return confirmed
    }

    /// Gives `userId`'s active hold `reference` back: its seats return at once (to the waitlist first). A
    /// waitlist offer given back this way is declined: its entry has `LEFT`.
    public func releaseHold(reference: String, userId: Int64, now: Date = Date()) async throws -> HoldDetails {
        let stamp = DatabaseTimestamp.string(now)
        let released = try await writer.submit { [self] db in
            let hold = try Self.activeHold(reference: reference, userId: userId, now: now, db)
            try release(hold, reason: .holdReleased, actorId: userId, now: now, stamp: stamp, db)
            try db.cachedStatement(sql: "UPDATE waitlist_entries SET status = 'LEFT', updated_at = ? WHERE hold_id = ? AND status = 'OFFERED'")
                .execute(arguments: [stamp, hold.id])
            try serveWaitlist(eventId: hold.eventId, now: now, stamp: stamp, db)
            return try db.decodeOne(sql: "\(HoldDetails.selectSQL) WHERE holds.id = ?", arguments: [hold.id], HoldDetails.init(row:))!
        }
        eventChanged(released.hold.eventId)
        return released
    }

    /// Expires every hold that has lapsed by `now`, in the writer's next batch: each one's seats come back
    /// (to the waitlist first), its holder is mailed, and a waitlist offer it was is `EXPIRED`.
    /// - Returns: how many holds expired.
    @discardableResult
    public func expireLapsedHolds(now: Date = Date()) async throws -> Int {
        let stamp = DatabaseTimestamp.string(now)
        let expired = try await writer.submit { [self] db in try expireLapsedHolds(eventId: nil, now: now, stamp: stamp, db) }
        for id in Set(expired.map(\.eventId)) { eventChanged(id) }
        return expired.count
    }

    /// `userId`'s holds that are active and not lapsed at `now`, soonest to lapse first.
    public func activeHolds(userId: Int64, now: Date = Date()) async throws -> [HoldDetails] {
        try await pool.read { db in
            try db.decodeAll(
                sql: """
                    \(HoldDetails.selectSQL)
                    WHERE holds.user_id = ? AND holds.status = 'ACTIVE' AND holds.expires_at > ? ORDER BY holds.expires_at LIMIT 100
                    """,
                arguments: [userId, DatabaseTimestamp.string(now)], HoldDetails.init(row:))
        }
    }

    /// When the next active hold lapses; nil when none is active.
    public func nextHoldExpiry() async throws -> Date? {
        try await pool.read { db in
            try Date.fetchOne(db.cachedStatement(sql: "SELECT MIN(expires_at) FROM holds WHERE status = 'ACTIVE'"))
        }
    }

    /// Expires the lapsed holds of event `eventId` (every event when nil) inside the caller's transaction and
    /// serves the waitlists their seats return to.
    /// - Returns: the holds that expired.
    func expireLapsedHolds(eventId: Int64?, now: Date, stamp: String, _ db: Database) throws -> [Hold] {
        let lapsed = try db.decodeAll(
            sql: """
                SELECT * FROM holds WHERE status = 'ACTIVE' AND expires_at <= ? AND (? IS NULL OR event_id = ?)
                ORDER BY expires_at, id LIMIT 1000
                """,
            arguments: [stamp, eventId, eventId], Hold.init(row:))
        for hold in lapsed {
            try release(hold, reason: .holdExpired, actorId: nil, now: now, stamp: stamp, db)
            try db.cachedStatement(sql: "UPDATE waitlist_entries SET status = 'EXPIRED', updated_at = ? WHERE hold_id = ? AND status = 'OFFERED'")
                .execute(arguments: [stamp, hold.id])
            try Self.enqueue(.holdExpired, holdId: hold.id, stamp: stamp, db)
        }
        for id in Set(lapsed.map(\.eventId)) {
            try serveWaitlist(eventId: id, now: now, stamp: stamp, db)
        }
        return lapsed
    }

    /// Ends active `hold` as `reason` says (released or expired) and gives its seats back, version-guarded,
    /// with its ledger entry.
    func release(_ hold: Hold, reason: SeatChangeReason, actorId: Int64?, now: Date, stamp: String, _ db: Database) throws {
        let status: HoldStatus = reason == .holdExpired ? .expired : .released
        _ = try withVersionGuard(
            db,
            read: { db in try Self.fetchEvent(id: hold.eventId, db)! },
            write: { db, event -> Void? in
                guard try Self.returnSeats(hold.seatCount, to: hold.eventId, atVersion: event.version, stamp: stamp, db) else { return nil }
                try db.cachedStatement(sql: "UPDATE holds SET status = ?, updated_at = ? WHERE id = ? AND status = 'ACTIVE'")
                    .execute(arguments: [status, stamp, hold.id])
                try Self.recordSeatChange(
                    eventId: hold.eventId, delta: hold.seatCount, reason: reason, availableAfter: event.availableSeats + hold.seatCount,
                    version: event.version + 1, holdReference: hold.holdReference, actorId: actorId, stamp: stamp, db)
                return ()
            })
    }

    /// Takes the seats of a new hold on `event` (as read at its version) and inserts it; nil when the version
    /// moved. Returns the hold and the event after it. `reference` is made as `insertBooking`'s is.
    static func insertHold(
        reference: String, on event: Event, userId: Int64, seatCount: Int, actorId: Int64?, now: Date, stamp: String, _ db: Database
    ) throws -> (Hold, Event)? {
        guard try takeSeats(seatCount, of: event.id!, atVersion: event.version, stamp: stamp, db) else { return nil }
        // A whole second, so that the expiry the API shows (ISO 8601 to the second) is exactly the one enforced.
        let expiry = (now.timeIntervalSince1970 + TimeInterval(event.holdDurationSeconds)).rounded(.up)
        let expiresAt = DatabaseTimestamp.string(Date(timeIntervalSince1970: expiry))
        try db.cachedStatement(
            sql: """
                INSERT INTO holds (hold_reference, event_id, user_id, seat_count, status, expires_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, 'ACTIVE', ?, ?, ?)
                """
        ).execute(arguments: [reference, event.id, userId, seatCount, expiresAt, stamp, stamp])
        let hold = try db.decodeOne(sql: "SELECT * FROM holds WHERE id = ?", arguments: [db.lastInsertedRowID], Hold.init(row:))!
        var held = event
        held.availableSeats -= seatCount
        held.version += 1
        try recordSeatChange(
            eventId: event.id!, delta: -seatCount, reason: .holdPlaced, availableAfter: held.availableSeats, version: held.version,
            holdReference: reference, actorId: actorId, stamp: stamp, db)
        return (hold, held)
    }

    /// `userId`'s hold `reference` if it is active and not lapsed at `now`; otherwise why not.
    private static func activeHold(reference: String, userId: Int64, now: Date, _ db: Database) throws -> Hold {
        guard let hold = try db.decodeOne(sql: "SELECT * FROM holds WHERE hold_reference = ?", arguments: [reference], Hold.init(row:))
        else { throw StorageError.notFound(.hold) }
        guard hold.userId == userId else { throw StorageError.forbidden(.hold) }
        if hold.status == .expired || (hold.status == .active && hold.hasLapsed(at: now)) { throw StorageError.holdExpired }
        guard hold.status == .active else { throw StorageError.holdNotActive(hold.status) }
        return hold
    }

    /// The hold this key made, nil for a new key, `idempotencyKeyReused` for another body.
    private static func replayedHold(for idempotency: IdempotencyRequest?, userId: Int64, _ db: Database) throws -> HoldDetails? {
        guard let id = try replayedId(for: idempotency, userId: userId, in: .holds, db) else { return nil }
        return try db.decodeOne(sql: "\(HoldDetails.selectSQL) WHERE holds.id = ?", arguments: [id], HoldDetails.init(row:))
    }
}
