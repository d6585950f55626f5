import Foundation
import GRDB

extension AppDatabase {
    /// Books `seatCount` seats of event `eventId` for `userId`, in the writer's next batch.
    ///
    /// Invariant, for every event and after every commit:
    /// `total_seats - available_seats = SUM(seat_count) of its CONFIRMED bookings and ACTIVE holds`, and
    /// `0 <= available_seats <= total_seats` (a CHECK constraint makes an oversold event unrepresentable).
    /// The seats are taken by `UPDATE events ... WHERE id = ? AND version = ? AND available_seats >= ?`
    /// and the booking inserted in the same command (see `withVersionGuard`), so a booking exists
    /// exactly when its seats were taken. With an `idempotency` key the key is stored with the booking,
    /// and the same key and body later replay that booking instead of booking again. The confirmation
    /// mail joins the outbox as an intent in the same command. The answer comes after the commit.
    public func createBooking(
        eventId: Int64, seatCount: Int, userId: Int64, idempotency: IdempotencyRequest? = nil, now: Date = Date()
    ) async throws -> BookingOutcome {
        let stamp = DatabaseTimestamp.string(now)
        let reference = BookingReference.make(at: now)
        let outcome = try await writer.submit { [self] db -> BookingOutcome in
            if let replay = try Self.replayedBooking(for: idempotency, userId: userId, db) { return .replayed(replay) }
            let (details, attempts) = try withVersionGuard(
                db,
                read: { db in try bookableEvent(id: eventId, seatCount: seatCount, userId: userId, now: now, stamp: stamp, db) },
                write: { db, event -> BookingDetails? in
                    guard try Self.takeSeats(seatCount, of: eventId, atVersion: event.version, stamp: stamp, db) else { return nil }
                    let booking = try Self.insertBooking(
                        reference: reference, eventId: eventId, userId: userId, seatCount: seatCount, now: now, stamp: stamp, db)
                    if let idempotency {
                        try db.cachedStatement(
                            sql: "INSERT INTO idempotency_keys (user_id, key, request_hash, booking_id, created_at) VALUES (?, ?, ?, ?, ?)"
                        ).execute(arguments: [userId, idempotency.key, idempotency.requestHash, booking.id, stamp])
                    }
                    try Self.enqueue(.bookingConfirmed, bookingId: booking.id!, stamp: stamp, db)
                    var booked = event
                    booked.availableSeats -= seatCount
                    booked.version += 1
                    try Self.recordSeatChange(
                        eventId: eventId, delta: -seatCount, reason: .booked, availableAfter: booked.availableSeats, version: booked.version,
                        bookingReference: booking.bookingReference, actorId: userId, stamp: stamp, db)
                    return BookingDetails(booking: booking, event: booked)
                })
            return .created(details, attempts: attempts)
        }
        // Only a new booking changed the event; a refusal or a replay left it as it was.
        if case .created = outcome { eventChanged(eventId) }
        return outcome
    }

    /// The booking `reference` as `viewerId` may see it: its booker or the event's organizer.
    public func booking(reference: String, viewerId: Int64) async throws -> BookingDetails {
        try await pool.read { db in
            guard let details = try Self.fetchBookingDetails(reference: reference, db) else { throw StorageError.notFound(.booking) }
            guard details.booking.userId == viewerId || details.eventOrganizerId == viewerId else {
                throw StorageError.forbidden(.booking)
            }
            return details
        }
    }

    /// A page of `userId`'s own bookings, newest first, optionally of one status.
    public func bookings(userId: Int64, status: BookingStatus?, page: PageRequest) async throws -> Page<BookingDetails> {
        var whereClause = "WHERE bookings.user_id = ?"
        var arguments: StatementArguments = [userId]
        if let status {
            whereClause += " AND bookings.status = ?"
            arguments += [status]
        }
        return try await pool.read { [whereClause, arguments] db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bookings \(whereClause)", arguments: arguments) ?? 0
            let items = try db.decodeAll(
                sql: "\(BookingDetails.selectSQL) \(whereClause) ORDER BY bookings.created_at DESC, bookings.id DESC LIMIT ? OFFSET ?",
                arguments: arguments + [page.limit, page.offset], BookingDetails.init(row:))
            return Page(items: items, total: total, request: page)
        }
    }

    /// Cancels `userId`'s own booking and gives its seats back to the event, version-guarded in the
    /// writer's next batch, with the cancellation notice in the outbox.
    public func cancelBooking(reference: String, userId: Int64, now: Date = Date()) async throws -> BookingDetails {
        let stamp = DatabaseTimestamp.string(now)
        let cancelled = try await writer.submit { [self] db in
            try withVersionGuard(
                db,
                read: { db -> (booking: Booking, event: Event) in
                    guard let booking = try Booking.fetchOne(db.cachedStatement(sql: "SELECT * FROM bookings WHERE booking_reference = ?"), arguments: [reference]),
                        let event = try Self.fetchEvent(id: booking.eventId, db)
                    else { throw StorageError.notFound(.booking) }
                    guard booking.userId == userId else { throw StorageError.forbidden(.booking) }
                    guard booking.status == .confirmed else { throw StorageError.bookingAlreadyCancelled }
                    if let date = event.eventDate, date <= now { throw StorageError.eventInPast }
                    return (booking, event)
                },
                write: { db, snapshot -> BookingDetails? in
                    var (booking, event) = snapshot
                    guard try Self.returnSeats(booking.seatCount, to: event.id!, atVersion: event.version, stamp: stamp, db) else { return nil }
                    try db.cachedStatement(
                        sql: "UPDATE bookings SET status = 'CANCELLED', updated_at = ? WHERE id = ? AND status = 'CONFIRMED'"
                    ).execute(arguments: [stamp, booking.id])
                    guard db.changesCount == 1 else {
                        // The event's version covers its bookings' status, so this cannot happen; refuse loudly.
                        throw StorageError.storageUnavailable(reason: "booking changed under the event's version")
                    }
                    try Self.enqueue(.bookingCancelled, bookingId: booking.id!, stamp: stamp, db)
                    booking.status = .cancelled
                    booking.updatedAt = now
                    event.availableSeats += booking.seatCount
                    event.version += 1
                    try Self.recordSeatChange(
                        eventId: event.id!, delta: booking.seatCount, reason: .cancelled, availableAfter: event.availableSeats,
                        version: event.version, bookingReference: booking.bookingReference, actorId: userId, stamp: stamp, db)
                    // The seats go to the waitlist first, in order.
                    try serveWaitlist(eventId: event.id!, now: now, stamp: stamp, db)
                    return BookingDetails(booking: booking, event: event)
                }
            ).result
        }
        eventChanged(cancelled.booking.eventId)
        return cancelled
    }

    /// The event as a booking or a hold sees it: visible to `userId`, published, in the future, within the
    /// user's cap, with the seats. When the seats are short, holds of the event that have lapsed are expired
    /// first (their seats serve the waitlist, then anyone), so nobody is turned away for a hold the sweep has
    /// not reached yet.
    func bookableEvent(id: Int64, seatCount: Int, userId: Int64, now: Date, stamp: String, _ db: Database) throws -> Event {
        guard var event = try Self.fetchEvent(id: id, db), Self.isVisible(event, to: userId) else {
            throw StorageError.notFound(.event)
        }
        guard event.status == .published else { throw StorageError.eventNotBookable(event.status) }
        if let date = event.eventDate, date <= now { throw StorageError.eventInPast }
        try Self.requireAllowance(for: userId, of: event, seatCount: seatCount, stamp: stamp, db)
        if event.availableSeats < seatCount, try !expireLapsedHolds(eventId: id, now: now, stamp: stamp, db).isEmpty {
            event = try Self.fetchEvent(id: id, db)!
        }
        guard event.availableSeats >= seatCount else {
            throw StorageError.seatsUnavailable(requested: seatCount, available: event.availableSeats)
        }
        return event
    }

    /// `stamp` is `now` as the database stores it (`DatabaseTimestamp`). The caller makes `reference`
    /// (`BookingReference.make`) before it queues: its random bits are system calls, which the writer's one
    /// thread, that sets a rush's pace, need not make.
    static func insertBooking(
        reference: String, eventId: Int64, userId: Int64, seatCount: Int, now: Date, stamp: String, _ db: Database
    ) throws -> Booking {
        var booking = Booking(
            id: nil, bookingReference: reference, eventId: eventId, userId: userId,
            seatCount: seatCount, status: .confirmed, createdAt: now, updatedAt: now, checkedInAt: nil)
        try db.executeDirectly(
            """
            INSERT INTO bookings (booking_reference, event_id, user_id, seat_count, status, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            .text(booking.bookingReference), .integer(eventId), .integer(userId), .integer(seatCount), .text(booking.status.rawValue),
            .text(stamp), .text(stamp))
        booking.id = db.lastInsertedRowID
        return booking
    }

    /// The booking this key made, nil for a new key, `idempotencyKeyReused` for another body.
    private static func replayedBooking(for idempotency: IdempotencyRequest?, userId: Int64, _ db: Database) throws -> BookingDetails? {
        guard let id = try replayedId(for: idempotency, userId: userId, in: .bookings, db) else { return nil }
        return try db.decodeOne(sql: "\(BookingDetails.selectSQL) WHERE bookings.id = ?", arguments: [id], BookingDetails.init(row:))
    }

    /// The event `id` as it is in this transaction. Every writer command reads its event, so the read goes to
    /// SQLite directly (`readFirstRowDirectly`).
    static func fetchEvent(id: Int64, _ db: Database) throws -> Event? {
        try db.readFirstRowDirectly(fetchEventSQL, .integer(id)) { columns in
            guard let event = Event(columns) else {
                throw StorageError.storageUnavailable(reason: "event \(id) has a value its schema does not allow")
            }
            return event
        }
    }

    private static let fetchEventSQL = "SELECT \(Event.columnList) FROM events WHERE id = ?"

    static func fetchBookingDetails(reference: String, _ db: Database) throws -> BookingDetails? {
        try db.decodeOne(sql: "\(BookingDetails.selectSQL) WHERE bookings.booking_reference = ?", arguments: [reference], BookingDetails.init(row:))
    }
}
