import Foundation
import GRDB
import Testing
@testable import Storage

@Suite struct EventReadTests {
    /// The writer reads its event straight from SQLite; GRDB's record decoding of the whole row is the
    /// reference, on events with every optional column empty and filled, before and after a booking.
    @Test func theWritersReadOfAnEventIsGRDBsDecodingOfItsRow() async throws {
        try await TestDatabase.with { test in
            let organizer = try await test.user("organizer@example.com", role: .organizer)
            let booker = try await test.user("booker@example.com")
            let plain = try await test.database.createEvent(
                NewEvent(title: "Plain", description: nil, totalSeats: 5, status: .draft, eventDate: nil), organizerId: organizer.id!
            ).event
            let full = try await test.database.createEvent(
                NewEvent(
                    title: "Full — ünïcode", description: "Doors at 7", totalSeats: 40, status: .published,
                    eventDate: Date(timeIntervalSince1970: 1_900_000_000.25), holdDurationSeconds: 120, maxSeatsPerUser: 4),
                organizerId: organizer.id!
            ).event
            _ = try await test.database.createBooking(eventId: full.id!, seatCount: 2, userId: booker.id!)
            for id in [plain.id!, full.id!] {
                let (ours, grdbs) = try await test.database.pool.read { db in
                    (try AppDatabase.fetchEvent(id: id, db), try Event.fetchOne(db, sql: "SELECT * FROM events WHERE id = ?", arguments: [id]))
                }
                #expect(ours != nil)
                #expect(ours == grdbs)
            }
            let booked = try await test.database.pool.read { db in try AppDatabase.fetchEvent(id: full.id!, db) }
            #expect(booked?.availableSeats == 38 && booked?.version == full.version + 1 && booked?.maxSeatsPerUser == 4)
            #expect(try await test.database.pool.read { db in try AppDatabase.fetchEvent(id: 9_999, db) } == nil)
        }
    }
}
