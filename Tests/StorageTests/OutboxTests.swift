import Foundation
import GRDB
import Testing
@testable import Storage

@Suite struct OutboxTests {
    let rules = OneTimeCodeRules()
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func mail(_ kind: String = "test", to recipient: String = "a@example.com") -> OutboxMail {
        OutboxMail(kind: kind, recipient: recipient, payload: Array("sealed".utf8))
    }

    @Test func codeMailIsQueuedWithTheCodeAndARefusedSendQueuesNothing() async throws {
        try await TestDatabase.with { test in
            _ = try await test.database.issueOneTimeCode(email: "a@example.com", codeHash: "h", rules: rules, now: start, mail: Self.mail())
            await #expect(throws: StorageError.self) {
                _ = try await test.database.issueOneTimeCode(email: "a@example.com", codeHash: "h2", rules: rules, now: start, mail: Self.mail())
            }
            #expect(try await test.database.dueOutboxMessages(now: start).count == 1)
        }
    }

    @Test func refusedBookingQueuesNoConfirmationAndABookingQueuesOne() async throws {
        try await TestDatabase.with { test in
            let (_, user, event) = try await test.organizerUserAndEvent(seats: 1)
            let database = test.database
            let eventId = event.id!
            let userId = user.id!
            func book() async throws {
                _ = try await database.createBooking(
                    eventId: eventId, seatCount: 1, userId: userId,
                    confirmation: { _ in OutboxMail(kind: "booking-confirmed", recipient: "u@example.com", payload: [1]) })
            }
            try await book()
            await #expect(throws: StorageError.seatsUnavailable(requested: 1, available: 0)) { try await book() }
            let due = try await test.database.dueOutboxMessages()
            #expect(due.map(\.kind) == ["booking-confirmed"])
        }
    }

    @Test func confirmationAfterALostRaceDescribesTheEventAsBooked() async throws {
        try await TestDatabase.with { test in
            let (organizer, user, event) = try await test.organizerUserAndEvent(seats: 5)
            let unhooked = test.database
            let calls = Counter()
            // Between the first snapshot and its guarded write the organizer renames the event: that try loses,
            // and the one mail queued describes the event as the winning try booked it.
            test.database.beforeGuardedWrite = {
                if await calls.next() == 1 {
                    _ = try await unhooked.updateEvent(id: event.id!, changes: EventChanges(title: "Renamed"), actorId: organizer.id!)
                }
            }
            let outcome = try await test.database.createBooking(
                eventId: event.id!, seatCount: 1, userId: user.id!,
                confirmation: { details in
                    OutboxMail(kind: "booking-confirmed", recipient: "u@example.com", payload: Array("\(details.eventTitle) \(details.booking.bookingReference)".utf8))
                })
            #expect(outcome.attempts == 2)
            let queued = try await test.database.dueOutboxMessages()
            #expect(queued.count == 1, "the lost try queued nothing")
            #expect(String(decoding: queued[0].payload, as: UTF8.self) == "Renamed \(outcome.details!.booking.bookingReference)")
        }
    }

    @Test func cancellingAnEventQueuesANoticeForEveryBooker() async throws {
        try await TestDatabase.with { test in
            let organizer = try await test.user("o@example.com", role: .organizer)
            let first = try await test.user("first@example.com")
            let second = try await test.user("second@example.com")
            let event = try await test.publishedEvent(seats: 5, organizer: organizer)
            let cancelled = try #require(try await test.database.createBooking(eventId: event.id!, seatCount: 1, userId: first.id!).details)
            _ = try await test.database.cancelBooking(reference: cancelled.booking.bookingReference, userId: first.id!)
            _ = try await test.database.createBooking(eventId: event.id!, seatCount: 2, userId: first.id!)
            _ = try await test.database.createBooking(eventId: event.id!, seatCount: 1, userId: second.id!)
            _ = try await test.database.updateEvent(
                id: event.id!, changes: EventChanges(status: .cancelled), actorId: organizer.id!,
                cancellationNotice: { booking, booker in
                    #expect(booking.booking.status == .cancelled)
                    return Self.mail("booking-cancelled", to: booker.email)
                })
            let recipients = try await test.database.dueOutboxMessages().map(\.recipient).sorted()
            #expect(recipients == ["first@example.com", "second@example.com"], "the already-cancelled booking gets no second notice")
        }
    }

    @Test func deliveryStatesAreRecordedAndASentMessageLosesItsPayload() async throws {
        try await TestDatabase.with { test in
            for index in 0..<3 {
                _ = try await test.database.issueOneTimeCode(
                    email: "\(index)@example.com", codeHash: "h", rules: rules, now: start, mail: Self.mail(to: "\(index)@example.com"))
            }
            let due = try await test.database.dueOutboxMessages(now: start)
            #expect(due.count == 3)
            try await test.database.markOutboxSent(id: due[0].id!, now: start)
            try await test.database.markOutboxAttemptFailed(id: due[1].id!, error: "server down", retryAt: start.addingTimeInterval(60))
            try await test.database.markOutboxAttemptFailed(id: due[2].id!, error: "550 no such user", retryAt: nil)

            #expect(try await test.database.dueOutboxMessages(now: start).isEmpty, "the retry is not due yet")
            #expect(try await test.database.dueOutboxMessages(now: start.addingTimeInterval(61)).map(\.id) == [due[1].id])
            let summary = try await test.database.outboxSummary(now: start.addingTimeInterval(100))
            #expect(summary == OutboxSummary(pending: 1, failed: 1, oldestPendingAge: 100))
            let rows = try await test.database.dbWriter.read { db in try OutboxMessage.order(Column("id")).fetchAll(db) }
            #expect(rows.map(\.status) == [.sent, .pending, .failed])
            #expect(rows[0].payload.isEmpty && rows[2].payload.isEmpty, "nothing of a finished mail is kept")
            #expect(rows[1].attempts == 1 && rows[1].lastError == "server down")
            #expect(rows[2].lastError == "550 no such user")
            // A second "sent" for the same message changes nothing.
            try await test.database.markOutboxSent(id: due[2].id!, now: start)
            #expect(try await test.database.outboxSummary(now: start).failed == 1)
        }
    }
}
