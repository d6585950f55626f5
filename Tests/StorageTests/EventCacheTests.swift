import Foundation
import GRDB
import Testing
@testable import Storage

@Suite struct EventCacheTests {
    @Test func eventIsFreshAfterEveryCommittedWriteToIt() async throws {
        try await TestDatabase.with { test in
            let (organizer, user, event) = try await test.organizerUserAndEvent(seats: 5)
            let database = test.database
            #expect(try await database.event(id: event.id!, viewerId: nil).event.availableSeats == 5)
            #expect(database.events.details(id: event.id!) != nil, "the read was cached")

            let booking = try #require(try await database.createBooking(eventId: event.id!, seatCount: 2, userId: user.id!).details)
            #expect(try await database.event(id: event.id!, viewerId: nil).event.availableSeats == 3)
            _ = try await database.cancelBooking(reference: booking.booking.bookingReference, userId: user.id!)
            #expect(try await database.event(id: event.id!, viewerId: nil).event.availableSeats == 5)
            _ = try await database.updateEvent(id: event.id!, changes: EventChanges(title: "Renamed"), actorId: organizer.id!)
            #expect(try await database.event(id: event.id!, viewerId: nil).event.title == "Renamed")
        }
    }

    @Test func readThatRacedAnInvalidationStoresNothing() async throws {
        try await TestDatabase.with { test in
            let (_, _, event) = try await test.organizerUserAndEvent(seats: 5)
            let cache = EventCache()
            let generation = cache.generation
            let stale = try await test.database.pool.read { db in try AppDatabase.fetchEventDetails(id: event.id!, db) }
            cache.invalidate(id: event.id!)  // a write committed while the read was under way
            cache.store(try #require(stale), readAt: generation)
            #expect(cache.details(id: event.id!) == nil)
            cache.store(try #require(stale), readAt: cache.generation)
            #expect(cache.details(id: event.id!) != nil, "a read after the invalidation is stored")
        }
    }

    @Test func draftInTheCacheIsStillHiddenFromOthers() async throws {
        try await TestDatabase.with { test in
            let organizer = try await test.user("o@example.com", role: .organizer)
            let draft = try await test.database.createEvent(
                NewEvent(title: "Draft", description: nil, totalSeats: 5, status: .draft, eventDate: nil), organizerId: organizer.id!)
            _ = try await test.database.event(id: draft.event.id!, viewerId: organizer.id!)
            await #expect(throws: StorageError.notFound(.event)) { _ = try await test.database.event(id: draft.event.id!, viewerId: nil) }
        }
    }
}
