import Foundation
import GRDB
import Testing
@testable import Storage

/// An event's bookings and ledger entries through the by-event tables (AppDatabase+ByEvent.swift): every read
/// sees the settled rows and the tail alike, the writer settles on its own, and `check` finds the tables out of step.
@Suite struct ByEventTablesTests {
    /// Settles whatever waits, as the writer does once `AppDatabase.settleBacklog` rows wait.
    static func settleNow(_ test: TestDatabase) async throws {
        try await test.database.pool.write { db in try AppDatabase.settleByEventTables(backlog: 1, db) }
    }

    static func settled(_ test: TestDatabase) async throws -> (bookings: Int, entries: Int, bookingsThrough: Int64) {
        try await test.database.pool.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM bookings_by_event")!,
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM seat_ledger_by_event")!,
                try Int64.fetchOne(db, sql: "SELECT bookings_through FROM by_event_settled")!
            )
        }
    }

    /// Two events booked in turns, half of it settled and half in the tail, one booking of each half cancelled.
    @Test func readsSeeTheSettledRowsAndTheTailInOrder() async throws {
        try await TestDatabase.with { test in
            let organizer = try await test.user("o@example.com", role: .organizer)
            let user = try await test.user("u@example.com")
            let event = try await test.publishedEvent(seats: 20, organizer: organizer)
            let other = try await test.publishedEvent(seats: 20, organizer: organizer)
            var mine: [Booking] = []
            for round in 0..<6 {
                if round == 3 { try await Self.settleNow(test) }
                mine.append(try await test.database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!).details!.booking)
                _ = try await test.database.createBooking(eventId: other.id!, seatCount: 2, userId: user.id!)
            }
            let settled = try await Self.settled(test)
            #expect(settled.bookings == 6 && settled.bookingsThrough == mine[2].id! + 1, "three rounds of two settled")
            #expect(settled.entries == 2 + 6, "the two events' openings and their first six bookings")
            for cancelled in [mine[1], mine[4]] {
                _ = try await test.database.cancelBooking(reference: cancelled.bookingReference, userId: user.id!)
            }
            let confirmed = [mine[0], mine[2], mine[3], mine[5]].map(\.id!)

            let page = try await test.database.attendees(eventId: event.id!, actorId: organizer.id!, page: PageRequest(page: 1, limit: 10))
            #expect(page.items.map(\.booking.id!) == confirmed && page.total == 4)
            let second = try await test.database.attendees(eventId: event.id!, actorId: organizer.id!, page: PageRequest(page: 2, limit: 3))
            #expect(second.items.map(\.booking.id!) == [confirmed[3]])
            let after = try await test.database.attendees(eventId: event.id!, actorId: organizer.id!, afterId: confirmed[1], limit: 10)
            #expect(after.map(\.booking.id!) == Array(confirmed[2...]))
            #expect(after.allSatisfy { $0.email == "u@example.com" })

            let ledger = try await test.database.seatLedger(eventId: event.id!, actorId: organizer.id!, page: PageRequest(page: 1, limit: 50))
            #expect(ledger.total == 1 + 6 + 2)
            #expect(ledger.items.map(\.id) == ledger.items.map(\.id).sorted())
            #expect(ledger.items.allSatisfy { $0.eventId == event.id! })
            #expect(ledger.items.last?.availableAfter == 16)
            let ledgerAfter = try await test.database.seatLedger(eventId: event.id!, actorId: organizer.id!, afterId: ledger.items[2].id, limit: 50)
            #expect(ledgerAfter.map(\.id) == ledger.items.dropFirst(3).map(\.id))

            let stats = try await test.database.eventStats(eventId: event.id!, actorId: organizer.id!)
            #expect(stats.confirmedBookings == 4 && stats.bookedSeats == 4)
            #expect(stats.bookingsPerDay.map(\.bookings).reduce(0, +) == 6, "a day counts every booking made, cancelled or not")
            #expect(try await test.database.checkIntegrity().isHealthy)
        }
    }

    @Test func cancellingAnEventCancelsSettledAndTailBookingsAlike() async throws {
        try await TestDatabase.with { test in
            let (organizer, user, event) = try await test.organizerUserAndEvent(seats: 10)
            _ = try await test.database.createBooking(eventId: event.id!, seatCount: 2, userId: user.id!)
            try await Self.settleNow(test)
            _ = try await test.database.createBooking(eventId: event.id!, seatCount: 3, userId: user.id!)
            _ = try await test.database.updateEvent(id: event.id!, changes: EventChanges(status: .cancelled), actorId: organizer.id!)
            let statuses = try await test.database.pool.read { db in
                try String.fetchAll(db, sql: "SELECT status FROM bookings WHERE event_id = ? ORDER BY id", arguments: [event.id])
            }
            #expect(statuses == ["CANCELLED", "CANCELLED"])
            let mails = try await test.database.pool.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE kind = 'event-cancelled'")!
            }
            #expect(mails == 2)
            #expect(try await test.event(event.id!).availableSeats == 10)
            #expect(try await test.database.checkIntegrity().isHealthy)
        }
    }

    @Test func anEventBookedOnlyBeforeTheLastSettlingCannotBeDeleted() async throws {
        try await TestDatabase.with { test in
            let (organizer, user, event) = try await test.organizerUserAndEvent(seats: 10)
            let booked = try await test.database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!).details!.booking
            _ = try await test.database.cancelBooking(reference: booked.bookingReference, userId: user.id!)
            try await Self.settleNow(test)
            await #expect(throws: StorageError.eventHasBookings) { try await test.database.deleteEvent(id: event.id!, actorId: organizer.id!) }
        }
    }

    /// Deleting an event checks its references itself, with SQLite's check off: the check must cover every table
    /// that refers to events, and the connection must enforce foreign keys again afterwards.
    @Test func theDeleteGuardCoversEveryTableThatRefersToEventsAndLeavesForeignKeysOn() async throws {
        try await TestDatabase.with { test in
            let referring = try await test.database.pool.read { db in
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT DISTINCT tables.name FROM sqlite_master AS tables, pragma_foreign_key_list(tables.name) AS keys
                        WHERE tables.type = 'table' AND keys."table" = 'events' ORDER BY tables.name
                        """)
            }
            #expect(referring == ["bookings", "holds", "waitlist_entries"], "deleteEvent's check must cover each of them")

            let (organizer, user, event) = try await test.organizerUserAndEvent(seats: 10)
            _ = try await test.database.placeHold(eventId: event.id!, seatCount: 1, userId: user.id!)
            await #expect(throws: StorageError.eventHasBookings) { try await test.database.deleteEvent(id: event.id!, actorId: organizer.id!) }
            let unused = try await test.publishedEvent(seats: 5, organizer: organizer)
            try await test.database.deleteEvent(id: unused.id!, actorId: organizer.id!)
            await #expect(throws: DatabaseError.self) {
                try await test.database.pool.write { db in
                    try db.execute(
                        sql: """
                            INSERT INTO bookings (booking_reference, event_id, user_id, seat_count, created_at, updated_at)
                            VALUES ('orphan', ?, ?, 1, 'x', 'x')
                            """,
                        arguments: [unused.id, user.id])
                }
            }
            #expect(try await test.database.checkIntegrity().isHealthy)
        }
    }

    /// The writer's own settling: rows written beside it (a repair tool, an import) wait until a batch finds
    /// `settleBacklog` of them, and then that batch takes them all.
    @Test func aBatchSettlesOnceEnoughRowsWait() async throws {
        try await TestDatabase.with { test in
            let (_, user, event) = try await test.organizerUserAndEvent(seats: 10)
            _ = try await test.database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!)
            #expect(try await Self.settled(test).bookings == 0, "one booking waits")
            let imported = Int(AppDatabase.settleBacklog)
            try await test.database.pool.write { db in
                try db.execute(sql: "UPDATE events SET total_seats = total_seats + ?, available_seats = available_seats + ? WHERE id = ?",
                               arguments: [imported, imported, event.id])
                try db.execute(
                    sql: """
                        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                        INSERT INTO bookings (booking_reference, event_id, user_id, seat_count, status, created_at, updated_at)
                        SELECT 'imported-' || i, ?, ?, 1, 'CANCELLED', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000' FROM n
                        """,
                    arguments: [imported, event.id, user.id])
            }
            #expect(try await Self.settled(test).bookings == 0, "nothing settles outside the writer")
            let last = try await test.database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!).details!.booking
            let settled = try await Self.settled(test)
            #expect(settled.bookings == imported + 2 && settled.bookingsThrough == last.id!)
            #expect(settled.entries == 3, "the ledger's rows settle with the bookings'")
        }
    }

    /// A database from before the by-event tables: the migration fills them with every row there is.
    @Test func theMigrationSettlesEveryRowThereIs() async throws {
        let stamp = "'2026-01-01 00:00:00.000'"
        try await TestDatabase.upgraded(
            from: "v8-checks-without-temporary-b-trees",
            rows: """
            INSERT INTO users (email, firstname, lastname, password_hash, country, role, created_at, updated_at)
            VALUES ('o@example.com', 'O', 'O', 'x', 'DE', 'ORGANIZER', \(stamp), \(stamp));
            INSERT INTO events (title, total_seats, available_seats, status, organizer_id, version, created_at, updated_at)
            VALUES ('One', 10, 7, 'PUBLISHED', 1, 2, \(stamp), \(stamp)), ('Two', 10, 9, 'PUBLISHED', 1, 1, \(stamp), \(stamp));
            INSERT INTO bookings (booking_reference, event_id, user_id, seat_count, status, created_at, updated_at)
            VALUES ('a', 1, 1, 2, 'CONFIRMED', \(stamp), \(stamp)), ('b', 2, 1, 1, 'CONFIRMED', \(stamp), \(stamp)),
                   ('c', 1, 1, 1, 'CONFIRMED', \(stamp), \(stamp));
            INSERT INTO seat_ledger (event_id, delta, reason, available_after, version, created_at)
            VALUES (1, 10, 'EVENT_CREATED', 10, 0, \(stamp)), (2, 10, 'EVENT_CREATED', 10, 0, \(stamp)),
                   (1, -2, 'BOOKED', 8, 1, \(stamp)), (2, -1, 'BOOKED', 9, 1, \(stamp)), (1, -1, 'BOOKED', 7, 2, \(stamp));
            """
        ) { database in
            // Plain values out of the read (a `Row` is not Sendable, and would make this the blocking `read`).
            let settled = try await database.pool.read { db -> [String: Int] in
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT (SELECT COUNT(*) FROM bookings_by_event) AS bookings, (SELECT COUNT(*) FROM seat_ledger_by_event) AS entries,
                               bookings_through, seat_ledger_through FROM by_event_settled
                        """)!
                return Dictionary(uniqueKeysWithValues: row.columnNames.map { ($0, row[$0] as Int) })
            }
            #expect(settled["bookings"] == 3 && settled["entries"] == 5)
            #expect(settled["bookings_through"] == 3 && settled["seat_ledger_through"] == 5)
            let attendees = try await database.attendees(eventId: 1, actorId: 1, page: PageRequest(page: 1, limit: 10)).items
            #expect(attendees.map(\.booking.bookingReference) == ["a", "c"])
            #expect(try await database.seatLedger(eventId: 2, actorId: 1, page: PageRequest(page: 1, limit: 10)).items.map(\.availableAfter) == [10, 9])
            #expect(try await database.checkIntegrity().isHealthy)
        }
    }

    @Test func checkFindsTheByEventTablesOutOfStep() async throws {
        for tampering in [
            "DELETE FROM bookings_by_event",
            "UPDATE bookings_by_event SET event_id = event_id + 1000",
            "INSERT INTO seat_ledger_by_event (event_id, entry_id) VALUES (1, 999999)",
            "UPDATE by_event_settled SET bookings_through = bookings_through - 1",
        ] {
            try await TestDatabase.with { test in
                let (_, user, event) = try await test.organizerUserAndEvent(seats: 10)
                _ = try await test.database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!)
                try await Self.settleNow(test)
                #expect(try await test.database.checkIntegrity().isHealthy)
                try await test.database.pool.write { db in try db.execute(sql: tampering) }
                let report = try await test.database.checkIntegrity()
                #expect(!report.isHealthy && !report.byEventMismatches.isEmpty, "\(tampering)")
            }
        }
    }

    /// An event's rows in id order come from merging the two halves, never from sorting all of them.
    @Test func anEventsRowsInOrderAreAMergeWithoutASort() async throws {
        try await TestDatabase.with { test in
            for (sql, arguments) in [
                ("\(AppDatabase.attendeeSQL) ORDER BY booking.id LIMIT ? OFFSET ?", [1, 10, 10] as StatementArguments),
                ("SELECT * FROM event_seat_ledger WHERE event_id = 1 AND id > 5 ORDER BY id LIMIT 10", []),
            ] {
                let plan = try await test.database.pool.read { db in
                    try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN \(sql)", arguments: arguments).map { $0["detail"] as String }
                }
                #expect(plan.contains("MERGE (UNION ALL)"), "\(plan)")
                #expect(plan.contains { $0.contains("PRIMARY KEY (event_id=?") }, "\(plan)")
                #expect(!plan.contains { $0.contains("TEMP B-TREE") || ($0.hasPrefix("SCAN") && $0 != "SCAN by_event_settled") }, "\(plan)")
            }
        }
    }
}
