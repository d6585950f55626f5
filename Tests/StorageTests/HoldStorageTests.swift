import Foundation
import GRDB
import Testing
@testable import Storage

/// Holds, their hard expiry, waitlists and the per-user cap, with the clock passed in.
@Suite struct HoldStorageTests {
    static func hold(_ outcome: HoldOutcome) -> HoldDetails {
        switch outcome {
        case .created(let details), .replayed(let details): details
        }
    }

    @Test func confirmingAfterExpiresAtIsRefusedEvenBeforeTheSweep() async throws {
        try await TestDatabase.with { test in
            let (_, user, event) = try await test.organizerUserAndEvent(seats: 10)
            let now = Date()
            let held = Self.hold(try await test.database.placeHold(eventId: event.id!, seatCount: 3, userId: user.id!, now: now))
            // The event's default duration, rounded up to a whole second.
            #expect((600..<601).contains(held.hold.expiresAt.timeIntervalSince(now)))
            #expect(held.hold.expiresAt.timeIntervalSince1970 == held.hold.expiresAt.timeIntervalSince1970.rounded())
            #expect(try await test.event(event.id!).availableSeats == 7)

            await #expect(throws: StorageError.holdExpired) {
                _ = try await test.database.confirmHold(reference: held.hold.holdReference, userId: user.id!, now: held.hold.expiresAt)
            }
            await #expect(throws: StorageError.holdExpired) {
                _ = try await test.database.releaseHold(reference: held.hold.holdReference, userId: user.id!, now: held.hold.expiresAt.addingTimeInterval(1))
            }
            // Nothing changed: the refusals rolled back, and the hold still holds its seats until the sweep.
            #expect(try await test.event(event.id!).availableSeats == 7)
            #expect(try await test.database.hold(reference: held.hold.holdReference, viewerId: user.id!).hold.status == .active)
            #expect(try await test.database.checkIntegrity().isHealthy)
        }
    }

    @Test func readsNeverCountALapsedHoldAndTheSweepGivesItsSeatsBack() async throws {
        try await TestDatabase.with { test in
            let (_, user, event) = try await test.organizerUserAndEvent(seats: 10)
            // Made 700 s ago with a 600 s duration: lapsed 100 s ago, and no sweep has run.
            let held = Self.hold(
                try await test.database.placeHold(eventId: event.id!, seatCount: 4, userId: user.id!, now: Date().addingTimeInterval(-700)))
            #expect(try await test.event(event.id!).availableSeats == 6, "stored: the hold still has its seats")
            #expect(try await test.database.event(id: event.id!, viewerId: nil).event.availableSeats == 10, "read: a lapsed hold counts for nothing")
            let listed = try await test.database.events(matching: EventFilter(), viewerId: nil, page: PageRequest(page: 1, limit: 10))
            #expect(listed.items.first?.event.availableSeats == 10)

            #expect(try await test.database.expireLapsedHolds() == 1)
            #expect(try await test.event(event.id!).availableSeats == 10)
            #expect(try await test.database.hold(reference: held.hold.holdReference, viewerId: user.id!).hold.status == .expired)
            #expect(try await test.database.expireLapsedHolds() == 0, "an expired hold expires once")
            let reasons = try await test.database.seatLedger(eventId: event.id!, actorId: event.organizerId, afterId: 0, limit: 10).map(\.reason)
            #expect(reasons == [.eventCreated, .holdPlaced, .holdExpired])
            #expect(try await test.database.checkIntegrity().isHealthy)
        }
    }

    @Test func aBookingThatNeedsTheSeatsOfALapsedHoldGetsThemBeforeTheSweep() async throws {
        try await TestDatabase.with { test in
            let (_, user, event) = try await test.organizerUserAndEvent(seats: 5)
            let other = try await test.user("other@example.com")
            _ = try await test.database.placeHold(eventId: event.id!, seatCount: 5, userId: user.id!, now: Date().addingTimeInterval(-601))
            let booked = try await test.database.createBooking(eventId: event.id!, seatCount: 5, userId: other.id!)
            #expect(booked.details?.booking.seatCount == 5, "not turned away while the seats were free")
            #expect(try await test.event(event.id!).availableSeats == 0)
            #expect(try await test.database.checkIntegrity().isHealthy)
        }
    }

    @Test func theCapCountsConfirmedSeatsAndActiveHoldsButNotLapsedOnes() async throws {
        try await TestDatabase.with { test in
            let organizer = try await test.user("o@example.com", role: .organizer)
            let user = try await test.user("u@example.com")
            let event = try await test.database.createEvent(
                NewEvent(title: "Capped", description: nil, totalSeats: 20, status: .published, eventDate: nil, maxSeatsPerUser: 4),
                organizerId: organizer.id!
            ).event
            // Lapsed a second ago: it counts for nothing.
            _ = try await test.database.placeHold(eventId: event.id!, seatCount: 3, userId: user.id!, now: Date().addingTimeInterval(-601))
            _ = try await test.database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!)
            _ = try await test.database.placeHold(eventId: event.id!, seatCount: 2, userId: user.id!)
            await #expect(throws: StorageError.userSeatLimit(limit: 4, remaining: 1)) {
                _ = try await test.database.createBooking(eventId: event.id!, seatCount: 2, userId: user.id!)
            }
            await #expect(throws: StorageError.userSeatLimit(limit: 4, remaining: 1)) {
                _ = try await test.database.placeHold(eventId: event.id!, seatCount: 2, userId: user.id!)
            }
            _ = try await test.database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!)
            await #expect(throws: StorageError.userSeatLimit(limit: 4, remaining: 0)) {
                _ = try await test.database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!)
            }
            await #expect(throws: StorageError.maxSeatsPerUserAboveTotal(totalSeats: 20)) {
                _ = try await test.database.updateEvent(id: event.id!, changes: EventChanges(maxSeatsPerUser: 21), actorId: organizer.id!)
            }
            #expect(try await test.database.checkIntegrity().isHealthy)
        }
    }

    /// The cap's count runs in the writer for every booking and hold of a capped event: it must read the user's
    /// rows, whose number a rush does not grow, never the event's (a rush on a capped event slowed with each booking).
    @Test func theCapCountsThroughTheUsersRowsNotTheEvents() async throws {
        try await TestDatabase.with { test in
            let plan = try await test.database.pool.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(AppDatabase.seatsHeldSQL)", arguments: [1, 2, 1, 2, "2026-01-01"]).map { $0["detail"] as String }
            }
            #expect(plan.contains { $0.hasPrefix("SEARCH bookings USING INDEX bookings_user_created_at (user_id=?)") }, "\(plan)")
            #expect(plan.contains { $0.hasPrefix("SEARCH holds USING INDEX holds_user_event (user_id=? AND event_id=?)") }, "\(plan)")
            #expect(!plan.contains { $0.contains("holds_active_event") || $0.hasPrefix("SCAN bookings") || $0.hasPrefix("SCAN holds") }, "\(plan)")
        }
    }

    @Test func cancellingTheEventReleasesHoldsAndEndsTheWaitlist() async throws {
        try await TestDatabase.with { test in
            let (organizer, user, event) = try await test.organizerUserAndEvent(seats: 3)
            let waiter = try await test.user("w@example.com")
            let held = Self.hold(try await test.database.placeHold(eventId: event.id!, seatCount: 2, userId: user.id!))
            _ = try await test.database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!)
            let entry = try await test.database.joinWaitlist(eventId: event.id!, seatCount: 1, userId: waiter.id!)
            #expect(entry.position == 1 && entry.status == .waiting)
            _ = try await test.database.updateEvent(id: event.id!, changes: EventChanges(status: .cancelled), actorId: organizer.id!)
            #expect(try await test.event(event.id!).availableSeats == 3)
            #expect(try await test.database.hold(reference: held.hold.holdReference, viewerId: user.id!).hold.status == .released)
            let ended = try await test.database.waitlistEntry(eventId: event.id!, userId: waiter.id!)
            #expect(ended.status == .expired && ended.position == nil)
            #expect(try await test.database.checkIntegrity().isHealthy)
            await #expect(throws: StorageError.eventHasBookings) { try await test.database.deleteEvent(id: event.id!, actorId: organizer.id!) }
        }
    }

    @Test func anEventThatTookPlaceEndsItsWaitlist() async throws {
        try await TestDatabase.with { test in
            let (organizer, user, event) = try await test.organizerUserAndEvent(seats: 1)
            let waiter = try await test.user("w@example.com")
            _ = try await test.database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!)
            _ = try await test.database.joinWaitlist(eventId: event.id!, seatCount: 1, userId: waiter.id!)
            _ = try await test.database.updateEvent(id: event.id!, changes: EventChanges(status: .completed), actorId: organizer.id!)
            #expect(try await test.database.waitlistEntry(eventId: event.id!, userId: waiter.id!).status == .expired)
            #expect(try await test.database.checkIntegrity().isHealthy)
        }
    }

    @Test func moreSeatsServeTheWaitlist() async throws {
        try await TestDatabase.with { test in
            let (organizer, user, event) = try await test.organizerUserAndEvent(seats: 2)
            let waiter = try await test.user("w@example.com")
            _ = try await test.database.createBooking(eventId: event.id!, seatCount: 2, userId: user.id!)
            _ = try await test.database.joinWaitlist(eventId: event.id!, seatCount: 2, userId: waiter.id!)
            let grown = try await test.database.updateEvent(id: event.id!, changes: EventChanges(totalSeats: 5), actorId: organizer.id!)
            #expect(grown.event.availableSeats == 1, "two of the three new seats are held for the waiting entry")
            let entry = try await test.database.waitlistEntry(eventId: event.id!, userId: waiter.id!)
            #expect(entry.status == .offered && entry.holdReference != nil)
            let reasons = try await test.database.seatLedger(eventId: event.id!, actorId: organizer.id!, afterId: 0, limit: 10).map(\.reason)
            #expect(reasons == [.eventCreated, .booked, .capacityChanged, .holdPlaced])
            #expect(try await test.database.checkIntegrity().isHealthy)
        }
    }

    @Test func checkFindsSeatsThatNeitherBookingsNorHoldsAccountFor() async throws {
        try await TestDatabase.with { test in
            let (_, user, event) = try await test.organizerUserAndEvent(seats: 10)
            let held = Self.hold(try await test.database.placeHold(eventId: event.id!, seatCount: 3, userId: user.id!))
            #expect(try await test.database.checkIntegrity().isHealthy)
            try await test.database.pool.write { db in
                try db.execute(sql: "UPDATE holds SET status = 'RELEASED' WHERE id = ?", arguments: [held.hold.id])
            }
            let report = try await test.database.checkIntegrity()
            #expect(report.seatMismatches == [.init(eventId: event.id!, totalSeats: 10, availableSeats: 7, confirmedSeats: 0, heldSeats: 0)])
        }
    }

    @Test func aDatabaseFromBeforeHoldsKeepsItsEventsAndItsPendingMail() async throws {
        try await TestDatabase.upgraded(
            from: "v4-running-an-event",
            rows: """
            INSERT INTO users (email, firstname, lastname, password_hash, country, role, created_at, updated_at)
            VALUES ('o@example.com', 'Olivia', 'O', 'x', 'DE', 'ORGANIZER', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
            INSERT INTO events (title, total_seats, available_seats, status, organizer_id, version, created_at, updated_at)
            VALUES ('Old', 10, 7, 'PUBLISHED', 1, 1, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
            INSERT INTO seat_ledger (event_id, delta, reason, available_after, version, created_at)
            VALUES (1, 10, 'EVENT_CREATED', 10, 0, '2026-01-01 00:00:00.000'), (1, -3, 'BOOKED', 7, 1, '2026-01-01 00:00:00.000');
            INSERT INTO bookings (booking_reference, event_id, user_id, seat_count, status, created_at, updated_at)
            VALUES ('00000000-0000-7000-8000-000000000001', 1, 1, 3, 'CONFIRMED', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
            INSERT INTO outbox (kind, booking_id, status, attempts, next_attempt_at, created_at)
            VALUES ('booking-confirmed', 1, 'PENDING', 0, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
            """
        ) { database in
            let event = try await database.event(id: 1, viewerId: nil).event
            #expect(event.holdDurationSeconds == 600 && event.maxSeatsPerUser == nil && event.availableSeats == 7)
            let due = try await database.dueOutboxMessages()
            #expect(due.map(\.kind) == [.bookingConfirmed], "a mail queued before the outbox was rebuilt still goes out")
            #expect(try await database.checkIntegrity().isHealthy)
        }
    }
}
