import Foundation
import GRDB
import Synchronization
import Testing
@testable import Storage

/// Counts calls across threads (the writer's hooks run on GRDB's writer queue).
final class Counter: Sendable {
    private let count = Mutex(0)
    func next() -> Int { count.withLock { $0 += 1; return $0 } }
    var value: Int { count.withLock { $0 } }
}

/// What another writer (a second process, a repair tool) would do: book `seats` seats of the event without
/// the service, bumping its version as every write does.
func rivalBooking(_ db: Database, eventId: Int64, userId: Int64, seats: Int) throws {
    try db.execute(
        sql: "UPDATE events SET available_seats = available_seats - ?, version = version + 1 WHERE id = ?", arguments: [seats, eventId])
    let reference = UUID().uuidString.lowercased()
    try db.execute(
        sql: """
            INSERT INTO bookings (booking_reference, event_id, user_id, seat_count, status, created_at, updated_at)
            VALUES (?, ?, ?, ?, 'CONFIRMED', ?, ?)
            """,
        arguments: [reference, eventId, userId, seats, Date(), Date()])
    // Any writer of this schema keeps the seat ledger, or `check` finds it out.
    try db.execute(
        sql: """
            INSERT INTO seat_ledger (event_id, delta, reason, available_after, version, booking_reference, actor_id, created_at)
            SELECT id, ?, 'BOOKED', available_seats, version, ?, ?, ? FROM events WHERE id = ?
            """,
        arguments: [-seats, reference, userId, Date(), eventId])
}

@Suite struct BookingTransactionTests {
    @Test func bookingTakesSeatsAndBumpsTheVersion() async throws {
        try await TestDatabase.with { test in
            let (_, user, event) = try await test.organizerUserAndEvent(seats: 5)
            let outcome = try await test.database.createBooking(eventId: event.id!, seatCount: 3, userId: user.id!)
            #expect(outcome.details?.booking.seatCount == 3)
            #expect(outcome.attempts == 1)
            let after = try await test.event(event.id!)
            #expect(after.availableSeats == 2)
            #expect(after.version == event.version + 1)
        }
    }

    @Test func bookingMoreSeatsThanRemainIsRefusedWithTheCounts() async throws {
        try await TestDatabase.with { test in
            let organizer = try await test.user("o@example.com", role: .organizer)
            let event = try await test.publishedEvent(seats: 2, organizer: organizer)
            await #expect(throws: StorageError.seatsUnavailable(requested: 3, available: 2)) {
                _ = try await test.database.createBooking(eventId: event.id!, seatCount: 3, userId: organizer.id!)
            }
        }
    }

    @Test func lostVersionRaceIsRetriedAndTheBookingSucceeds() async throws {
        try await TestDatabase.with { test in
            let organizer = try await test.user("o@example.com", role: .organizer)
            let rival = try await test.user("rival@example.com")
            let user = try await test.user("u@example.com")
            let event = try await test.publishedEvent(seats: 5, organizer: organizer)
            let calls = Counter()
            // Between the command's read and its guarded write, another writer books a seat: the guard must lose once.
            test.database.beforeGuardedWrite = { db in
                if calls.next() == 1 { try rivalBooking(db, eventId: event.id!, userId: rival.id!, seats: 1) }
            }
            let outcome = try await test.database.createBooking(eventId: event.id!, seatCount: 2, userId: user.id!)
            #expect(outcome.attempts == 2, "the first guarded write lost and the second won")
            #expect(try await test.event(event.id!).availableSeats == 2)
            #expect(try await test.database.checkIntegrity().isHealthy)
        }
    }

    @Test func guardThatNeverWinsGivesUpAndBooksNothing() async throws {
        try await TestDatabase.with { test in
            let (_, user, event) = try await test.organizerUserAndEvent(seats: 10)
            test.database.beforeGuardedWrite = { db in
                try db.execute(sql: "UPDATE events SET version = version + 1 WHERE id = ?", arguments: [event.id])
            }
            await #expect(throws: StorageError.self) {
                _ = try await test.database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!)
            }
            let after = try await test.event(event.id!)
            #expect(after.availableSeats == 10 && after.version == event.version, "the command's savepoint was rolled back whole")
        }
    }

    @Test func cancellingReleasesTheSeatsOnceAndOnlyForTheBooker() async throws {
        try await TestDatabase.with { test in
            let (organizer, user, event) = try await test.organizerUserAndEvent(seats: 5)
            let booking = try #require(try await test.database.createBooking(eventId: event.id!, seatCount: 4, userId: user.id!).details).booking
            await #expect(throws: StorageError.forbidden(.booking)) {
                _ = try await test.database.cancelBooking(reference: booking.bookingReference, userId: organizer.id!)
            }
            let cancelled = try await test.database.cancelBooking(reference: booking.bookingReference, userId: user.id!)
            #expect(cancelled.booking.status == .cancelled)
            #expect(try await test.event(event.id!).availableSeats == 5)
            await #expect(throws: StorageError.bookingAlreadyCancelled) {
                _ = try await test.database.cancelBooking(reference: booking.bookingReference, userId: user.id!)
            }
            #expect(try await test.event(event.id!).availableSeats == 5)
        }
    }

    @Test func sameIdempotencyKeyAndBodyReplaysWithoutBookingAgain() async throws {
        try await TestDatabase.with { test in
            let (_, user, event) = try await test.organizerUserAndEvent(seats: 5)
            let key = IdempotencyRequest(key: "abc", requestHash: "h1")
            let first = try await test.database.createBooking(eventId: event.id!, seatCount: 2, userId: user.id!, idempotency: key)
            let second = try await test.database.createBooking(eventId: event.id!, seatCount: 2, userId: user.id!, idempotency: key)
            guard case .replayed(let replayed) = second else {
                Issue.record("expected a replay, got \(second)")
                return
            }
            #expect(replayed.booking.bookingReference == first.details?.booking.bookingReference, "the replay is the booking the key made")
            #expect(try await test.event(event.id!).availableSeats == 3)
            await #expect(throws: StorageError.idempotencyKeyReused) {
                _ = try await test.database.createBooking(
                    eventId: event.id!, seatCount: 1, userId: user.id!, idempotency: IdempotencyRequest(key: "abc", requestHash: "h2"))
            }
        }
    }

    @Test func concurrentRequestsWithOneIdempotencyKeyBookOnce() async throws {
        try await TestDatabase.with { test in
            let (_, user, event) = try await test.organizerUserAndEvent(seats: 50)
            let database = test.database
            let outcomes = try await withThrowingTaskGroup(of: BookingOutcome.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await database.createBooking(
                            eventId: event.id!, seatCount: 2, userId: user.id!, idempotency: IdempotencyRequest(key: "same", requestHash: "h"))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.compactMap(\.details).count == 1)
            #expect(try await test.event(event.id!).availableSeats == 48)
        }
    }

    @Test func cancellingAnEventCancelsItsBookingsAndFreesTheSeats() async throws {
        try await TestDatabase.with { test in
            let (organizer, user, event) = try await test.organizerUserAndEvent(seats: 5)
            _ = try await test.database.createBooking(eventId: event.id!, seatCount: 2, userId: user.id!)
            await #expect(throws: StorageError.seatsBelowBooked(booked: 2)) {
                _ = try await test.database.updateEvent(id: event.id!, changes: EventChanges(totalSeats: 1), actorId: organizer.id!)
            }
            let grown = try await test.database.updateEvent(id: event.id!, changes: EventChanges(totalSeats: 8), actorId: organizer.id!)
            #expect(grown.event.availableSeats == 6)
            let cancelled = try await test.database.updateEvent(id: event.id!, changes: EventChanges(status: .cancelled), actorId: organizer.id!)
            #expect(cancelled.event.availableSeats == 8)
            let bookings = try await test.database.bookings(userId: user.id!, status: .confirmed, page: PageRequest(page: 1, limit: 10))
            #expect(bookings.total == 0)
            #expect(try await test.database.checkIntegrity().isHealthy)
            await #expect(throws: StorageError.eventIsFinal(.cancelled)) {
                _ = try await test.database.updateEvent(id: event.id!, changes: EventChanges(status: .published), actorId: organizer.id!)
            }
        }
    }

    @Test func eventUpdateRacingABookingKeepsTheBooking() async throws {
        try await TestDatabase.with { test in
            let (organizer, user, event) = try await test.organizerUserAndEvent(seats: 5)
            let calls = Counter()
            test.database.beforeGuardedWrite = { db in
                if calls.next() == 1 { try rivalBooking(db, eventId: event.id!, userId: user.id!, seats: 3) }
            }
            let updated = try await test.database.updateEvent(id: event.id!, changes: EventChanges(totalSeats: 10), actorId: organizer.id!)
            #expect(updated.event.availableSeats == 7, "the booking that committed during the update still holds its 3 seats")
            #expect(try await test.database.checkIntegrity().isHealthy)
        }
    }

    @Test func integrityCheckReportsABrokenSeatCount() async throws {
        try await TestDatabase.with { test in
            let organizer = try await test.user("o@example.com", role: .organizer)
            let event = try await test.publishedEvent(seats: 5, organizer: organizer)
            try await test.database.pool.write { db in
                try db.execute(sql: "UPDATE events SET available_seats = 4 WHERE id = ?", arguments: [event.id])
            }
            let report = try await test.database.checkIntegrity()
            #expect(!report.isHealthy)
            #expect(report.seatMismatches == [.init(eventId: event.id!, totalSeats: 5, availableSeats: 4, confirmedSeats: 0, heldSeats: 0)])
        }
    }
}
