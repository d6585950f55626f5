import Foundation
import GRDB
import Testing
@testable import Storage

/// The seat ledger as a table: append-only, checked by `check`, and begun for events older than it.
@Suite struct SeatLedgerStorageTests {
    @Test func nothingUpdatesOrDeletesALedgerEntry() async throws {
        try await TestDatabase.with { test in
            let (_, user, event) = try await test.organizerUserAndEvent(seats: 5)
            _ = try await test.database.createBooking(eventId: event.id!, seatCount: 2, userId: user.id!)
            await #expect(throws: DatabaseError.self) {
                try await test.database.pool.write { db in try db.execute(sql: "UPDATE seat_ledger SET delta = delta + 1") }
            }
            await #expect(throws: DatabaseError.self) {
                try await test.database.pool.write { db in try db.execute(sql: "DELETE FROM seat_ledger") }
            }
            #expect(try await test.database.checkIntegrity().isHealthy)
        }
    }

    @Test func checkFindsALedgerEntryTamperedWithBehindTheTriggersBack() async throws {
        try await TestDatabase.with { test in
            let (_, user, event) = try await test.organizerUserAndEvent(seats: 5)
            _ = try await test.database.createBooking(eventId: event.id!, seatCount: 2, userId: user.id!)
            try await test.database.pool.write { db in
                try db.execute(sql: "DROP TRIGGER seat_ledger_no_update")
                try db.execute(sql: "UPDATE seat_ledger SET delta = -1 WHERE reason = 'BOOKED'")
            }
            let report = try await test.database.checkIntegrity()
            #expect(!report.isHealthy)
            #expect(report.ledgerMismatches == [.init(eventId: event.id!, availableSeats: 3, ledgerSum: 4, lastAvailableAfter: 3)])
            #expect(report.seatMismatches.isEmpty, "the counters themselves agree with the bookings")
        }
    }

    @Test func checkFindsASeatChangeThatLeftNoEntry() async throws {
        try await TestDatabase.with { test in
            let (_, _, event) = try await test.organizerUserAndEvent(seats: 5)
            // A repair tool that changes the counter (and the total with it) without writing the ledger.
            try await test.database.pool.write { db in
                try db.execute(sql: "UPDATE events SET total_seats = 6, available_seats = 6 WHERE id = ?", arguments: [event.id])
            }
            let report = try await test.database.checkIntegrity()
            #expect(report.ledgerMismatches.map(\.eventId) == [event.id!])
        }
    }

    @Test func eventsOlderThanTheLedgerStartItWithTheirBalance() async throws {
        // A database as it was before the ledger: an event with a confirmed booking.
        try await TestDatabase.upgraded(
            from: "v3-group-commit",
            rows: """
            INSERT INTO users (email, firstname, lastname, password_hash, country, role, created_at, updated_at)
            VALUES ('o@example.com', 'O', 'O', 'x', 'DE', 'ORGANIZER', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
            INSERT INTO events (title, total_seats, available_seats, status, organizer_id, version, created_at, updated_at)
            VALUES ('Old', 10, 7, 'PUBLISHED', 1, 4, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
            INSERT INTO bookings (booking_reference, event_id, user_id, seat_count, status, created_at, updated_at)
            VALUES ('00000000-0000-7000-8000-000000000001', 1, 1, 3, 'CONFIRMED', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
            """
        ) { database in
            let entries = try await database.seatLedger(eventId: 1, actorId: 1, page: PageRequest(page: 1, limit: 10)).items
            #expect(entries.map(\.reason) == [.openingBalance])
            #expect(entries.first?.delta == 7 && entries.first?.availableAfter == 7 && entries.first?.version == 4 && entries.first?.actorId == nil)
            #expect(try await database.checkIntegrity().isHealthy)
        }
    }
}
