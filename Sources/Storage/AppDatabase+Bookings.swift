import Foundation
import GRDB

extension AppDatabase {
    /// Books `seatCount` seats of event `eventId` for `userId`.
    ///
    /// Invariant, for every event and after every commit:
    /// `total_seats - available_seats = SUM(seat_count) of its CONFIRMED bookings`, and
    /// `0 <= available_seats <= total_seats` (a CHECK constraint makes an oversold event unrepresentable).
    /// The seats are taken by `UPDATE events ... WHERE id = ? AND version = ? AND available_seats >= ?`
    /// and the booking inserted in the same transaction (see `withVersionGuard`), so a booking exists
    /// exactly when its seats were taken. With an `idempotency` key the caller's answer is stored in that
    /// transaction too (`encodeResponse` renders it), and the same key and body later replay it.
    /// `confirmation` makes the confirmation mail, which joins the outbox in the same transaction. It is
    /// rendered there, once, rather than from each snapshot: under contention most snapshots lose the race.
    public func createBooking(
        eventId: Int64, seatCount: Int, userId: Int64, idempotency: IdempotencyRequest? = nil, now: Date = Date(),
        encodeResponse: @escaping @Sendable (BookingDetails) throws -> [UInt8] = { _ in [] },
        confirmation: (@Sendable (BookingDetails) throws -> OutboxMail)? = nil
    ) async throws -> BookingOutcome {
        enum Snapshot: Sendable {
            case replay([UInt8])
            case book(Event)
        }
        enum Written: Sendable {
            case replay([UInt8])
            case booked(BookingDetails)
        }
        let (written, attempts) = try await withVersionGuard(
            read: { db -> Snapshot in
                if let replay = try Self.storedResponse(for: idempotency, userId: userId, db) { return .replay(replay) }
                return .book(try Self.bookableEvent(id: eventId, seatCount: seatCount, viewerId: userId, now: now, db))
            },
            write: { db, snapshot -> Written? in
                guard case .book(let event) = snapshot else {
                    if case .replay(let body) = snapshot { return .replay(body) }
                    return nil
                }
                // A request with the same key may have committed since the snapshot.
                if let replay = try Self.storedResponse(for: idempotency, userId: userId, db) { return .replay(replay) }
                try db.execute(
                    sql: """
                        UPDATE events SET available_seats = available_seats - ?, version = version + 1, updated_at = ?
                        WHERE id = ? AND version = ? AND available_seats >= ?
                        """,
                    arguments: [seatCount, now, eventId, event.version, seatCount])
                guard db.changesCount == 1 else { return nil }
                var booking = Booking(
                    id: nil, bookingReference: UUID().uuidString.lowercased(), eventId: eventId, userId: userId,
                    seatCount: seatCount, status: .confirmed, createdAt: now, updatedAt: now)
                try booking.insert(db)
                let details = BookingDetails(booking: booking, event: event)
                if let idempotency {
                    try db.execute(
                        sql: """
                            INSERT INTO idempotency_keys (user_id, key, request_hash, booking_id, response_body, created_at)
                            VALUES (?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [userId, idempotency.key, idempotency.requestHash, booking.id, Data(try encodeResponse(details)), now])
                }
                if let confirmation { try Self.enqueue([try confirmation(details)], now: now, db) }
                return .booked(details)
            })
        switch written {
        case .replay(let body): return .replayed(responseBody: body)
        case .booked(let details): return .created(details, attempts: attempts)
        }
    }

    /// The booking `reference` as `viewerId` may see it: its booker or the event's organizer.
    public func booking(reference: String, viewerId: Int64) async throws -> BookingDetails {
        try await dbWriter.read { db in
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
        return try await dbWriter.read { [whereClause, arguments] db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bookings \(whereClause)", arguments: arguments) ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: "\(BookingDetails.selectSQL) \(whereClause) ORDER BY bookings.created_at DESC, bookings.id DESC LIMIT ? OFFSET ?",
                arguments: arguments + [page.limit, page.offset])
            return Page(items: try rows.map(BookingDetails.init(row:)), total: total, request: page)
        }
    }

    /// Cancels `userId`'s own booking and gives its seats back to the event, in one version-guarded
    /// transaction, with the `notice` mail in the outbox.
    public func cancelBooking(
        reference: String, userId: Int64, now: Date = Date(), notice: (@Sendable (BookingDetails) throws -> OutboxMail)? = nil
    ) async throws -> BookingDetails {
        try await withVersionGuard(
            read: { db -> (booking: Booking, event: Event) in
                guard let booking = try Booking.filter(Column("booking_reference") == reference).fetchOne(db),
                    let event = try Event.fetchOne(db, key: booking.eventId)
                else { throw StorageError.notFound(.booking) }
                guard booking.userId == userId else { throw StorageError.forbidden(.booking) }
                guard booking.status == .confirmed else { throw StorageError.bookingAlreadyCancelled }
                if let date = event.eventDate, date <= now { throw StorageError.eventInPast }
                return (booking, event)
            },
            write: { db, snapshot -> BookingDetails? in
                var booking = snapshot.booking
                let event = snapshot.event
                try db.execute(
                    sql: """
                        UPDATE events SET available_seats = available_seats + ?, version = version + 1, updated_at = ?
                        WHERE id = ? AND version = ?
                        """,
                    arguments: [booking.seatCount, now, event.id, event.version])
                guard db.changesCount == 1 else { return nil }
                try db.execute(
                    sql: "UPDATE bookings SET status = 'CANCELLED', updated_at = ? WHERE id = ? AND status = 'CONFIRMED'",
                    arguments: [now, booking.id])
                guard db.changesCount == 1 else {
                    // The event's version covers its bookings' status, so this cannot happen; refuse loudly.
                    throw DatabaseError(resultCode: .SQLITE_INTERNAL, message: "booking changed under the event's version")
                }
                booking.status = .cancelled
                booking.updatedAt = now
                let details = BookingDetails(booking: booking, event: event)
                if let notice { try Self.enqueue([try notice(details)], now: now, db) }
                return details
            }
        ).result
    }

    /// The event as a booking sees it: visible to `viewerId`, published, in the future, with the seats.
    private static func bookableEvent(id: Int64, seatCount: Int, viewerId: Int64, now: Date, _ db: Database) throws -> Event {
        guard let event = try Event.fetchOne(db, key: id), isVisible(event, to: viewerId) else {
            throw StorageError.notFound(.event)
        }
        guard event.status == .published else { throw StorageError.eventNotBookable(event.status) }
        if let date = event.eventDate, date <= now { throw StorageError.eventInPast }
        guard event.availableSeats >= seatCount else {
            throw StorageError.seatsUnavailable(requested: seatCount, available: event.availableSeats)
        }
        return event
    }

    /// The stored answer for this key, nil for a new key, `idempotencyKeyReused` for another body.
    private static func storedResponse(for idempotency: IdempotencyRequest?, userId: Int64, _ db: Database) throws -> [UInt8]? {
        guard let idempotency,
            let row = try Row.fetchOne(
                db, sql: "SELECT request_hash, response_body FROM idempotency_keys WHERE user_id = ? AND key = ?",
                arguments: [userId, idempotency.key])
        else { return nil }
        guard row["request_hash"] as String == idempotency.requestHash else { throw StorageError.idempotencyKeyReused }
        return [UInt8](row["response_body"] as Data)
    }

    static func fetchBookingDetails(reference: String, _ db: Database) throws -> BookingDetails? {
        try Row.fetchOne(db, sql: "\(BookingDetails.selectSQL) WHERE bookings.booking_reference = ?", arguments: [reference])
            .map(BookingDetails.init(row:))
    }
}
