import Foundation
import GRDB
import Testing
@testable import Storage

@Suite struct OutboxTests {
    let rules = OneTimeCodeRules()
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func mail(to recipient: String = "a@example.com") -> SealedMail {
        SealedMail(recipient: recipient, payload: Array("sealed".utf8))
    }

    /// Every outbox row as (kind, status, booking id, has a payload), oldest first.
    static func rows(_ test: TestDatabase) async throws -> [(kind: String, status: String, bookingId: Int64?, hasPayload: Bool)] {
        try await test.database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, status, booking_id, payload IS NOT NULL AS has_payload FROM outbox ORDER BY id").map {
                ($0["kind"], $0["status"], $0["booking_id"], $0["has_payload"])
            }
        }
    }

    /// The delivery service's and the metrics' reads go through the partial indexes, never over the outbox's
    /// finished rows, which a busy service has millions of.
    @Test func outboxReadsUseThePartialIndexes() async throws {
        try await TestDatabase.with { test in
            let plans = try await test.database.pool.read { db in
                try [AppDatabase.dueMessagesSQL, AppDatabase.nextAttemptSQL, AppDatabase.summarySQL].map { sql in
                    // Every parameter NULL, which changes no plan.
                    let nulls = StatementArguments(Array(repeating: DatabaseValue.null, count: sql.filter { $0 == "?" }.count))
                    return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(sql)", arguments: nulls).map { $0["detail"] as String }
                }
            }
            #expect(plans[0].contains { $0.hasPrefix("SEARCH outbox USING INDEX outbox_due") }, "\(plans[0])")
            #expect(plans[1].contains { $0.hasPrefix("SEARCH outbox USING INDEX outbox_due") }, "\(plans[1])")
            #expect(plans[2].contains("SCAN outbox USING INDEX outbox_failed"), "\(plans[2])")
            #expect(plans[2].filter { $0.contains("outbox USING INDEX outbox_due") }.count == 2, "\(plans[2])")
            for plan in plans { #expect(!plan.contains("SCAN outbox"), "a scan of the whole table: \(plan)") }
        }
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

    @Test func refusedBookingQueuesNoConfirmationAndABookingQueuesOneIntent() async throws {
        try await TestDatabase.with { test in
            let (_, user, event) = try await test.organizerUserAndEvent(seats: 1)
            let booked = try #require(try await test.database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!).details)
            await #expect(throws: StorageError.seatsUnavailable(requested: 1, available: 0)) {
                _ = try await test.database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!)
            }
            let due = try await test.database.dueOutboxMessages()
            #expect(due.map(\.kind) == [.bookingConfirmed])
            guard case .booking(let details, let booker) = due.first?.content else {
                Issue.record("a booking mail is an intent about its booking: \(due)")
                return
            }
            #expect(details.booking.bookingReference == booked.booking.bookingReference && details.eventTitle == "Concert")
            #expect(booker == OutboxMessage.Booker(email: "u@example.com", firstname: "First"))
            #expect(try await Self.rows(test).map(\.hasPayload) == [false], "nothing of the mail is rendered or stored")
        }
    }

    /// The due read decodes by column index (`SQLiteColumns`): what it gives equals GRDB's decoding of the same
    /// rows, for a checked-in booking of a dated event and for one of an undated event, and a sealed mail.
    @Test func dueMessagesReadByIndexEqualWhatGRDBReads() async throws {
        try await TestDatabase.with { test in
            let (organizer, user, dated) = try await test.organizerUserAndEvent(seats: 5)
            let undated = try await test.publishedEvent(seats: 5, organizer: organizer, date: nil)
            let first = try #require(try await test.database.createBooking(eventId: dated.id!, seatCount: 2, userId: user.id!).details)
            _ = try await test.database.checkIn(reference: first.booking.bookingReference, actorId: organizer.id!)
            let second = try #require(try await test.database.createBooking(eventId: undated.id!, seatCount: 1, userId: user.id!).details)
            _ = try await test.database.issueOneTimeCode(email: "code@example.com", codeHash: "h", rules: rules, mail: Self.mail(to: "code@example.com"))

            let due = try await test.database.dueOutboxMessages()
            let expected = try await test.database.pool.read { db in
                try [first, second].map { try #require(try AppDatabase.fetchBookingDetails(reference: $0.booking.bookingReference, db)) }
            }
            #expect(expected[0].booking.checkedInAt != nil && expected[1].eventDate == nil, "the cases the test is for")
            #expect(due.map(\.kind) == [.bookingConfirmed, .bookingConfirmed, .oneTimeCode])
            #expect(due.map(\.attempts) == [0, 0, 0])
            let booker = OutboxMessage.Booker(email: "u@example.com", firstname: "First")
            #expect(due[0].content == .booking(expected[0], booker: booker))
            #expect(due[1].content == .booking(expected[1], booker: booker))
            #expect(due[2].content == .sealed(Self.mail(to: "code@example.com")))
        }
    }

    @Test func bookingMailIsAboutTheBookingAsItIsWhenDelivered() async throws {
        try await TestDatabase.with { test in
            let (organizer, user, event) = try await test.organizerUserAndEvent(seats: 5)
            _ = try await test.database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!)
            _ = try await test.database.updateEvent(id: event.id!, changes: EventChanges(title: "Renamed"), actorId: organizer.id!)
            guard case .booking(let details, _) = try await test.database.dueOutboxMessages().first?.content else {
                Issue.record("expected a booking mail")
                return
            }
            #expect(details.eventTitle == "Renamed")
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
            _ = try await test.database.updateEvent(id: event.id!, changes: EventChanges(status: .cancelled), actorId: organizer.id!)
            let notices = try await test.database.dueOutboxMessages().filter { $0.kind == .eventCancelled }
            let recipients = notices.compactMap { message -> String? in
                guard case .booking(let details, let booker) = message.content else { return nil }
                #expect(details.booking.status == .cancelled)
                return booker.email
            }
            #expect(recipients.sorted() == ["first@example.com", "second@example.com"], "the already-cancelled booking gets no second notice")
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
            try await test.database.markOutboxSent(ids: [due[0].id], now: start)
            try await test.database.markOutboxAttemptFailed(id: due[1].id, error: "server down", retryAt: start.addingTimeInterval(60))
            try await test.database.markOutboxAttemptFailed(id: due[2].id, error: "550 no such user", retryAt: nil)

            #expect(try await test.database.dueOutboxMessages(now: start).isEmpty, "the retry is not due yet")
            let retried = try await test.database.dueOutboxMessages(now: start.addingTimeInterval(61))
            #expect(retried.map(\.id) == [due[1].id] && retried.first?.attempts == 1)
            let rows = try await Self.rows(test)
            #expect(rows.map(\.status) == ["SENT", "PENDING", "FAILED"])
            #expect(rows.map(\.hasPayload) == [false, true, false], "nothing of a finished mail is kept")
            let errors = try await test.database.pool.read { db in try String?.fetchAll(db, sql: "SELECT last_error FROM outbox ORDER BY id") }
            #expect(errors == [nil, "server down", "550 no such user"])
            // A second "sent" for a finished message changes nothing.
            try await test.database.markOutboxSent(ids: [due[2].id], now: start)
            #expect(try await Self.rows(test).map(\.status) == ["SENT", "PENDING", "FAILED"])
        }
    }
}
