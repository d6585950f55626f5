import Foundation
import Testing
@testable import App

/// `GET /events/:id/stats` through a live server.
@Suite struct EventStatsTests {
    @Test func theOrganizerSeesSeatsByStateAndBookingsPerDay() async throws {
        try await TestApp.run(.live) { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let rival = try await api.register("rival@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let eventId = try await api.createEvent(token: organizer, seats: 20)
            let kept = try await api.book(token: user, eventId: eventId, seats: 3)
            _ = try await api.book(token: user, eventId: eventId, seats: 2)
            let dropped = try await api.book(token: user, eventId: eventId, seats: 4)
            #expect(try await api.request(.delete, "/bookings/\(dropped)", token: user).status == .ok)
            #expect(try await api.request(.post, "/bookings/\(kept)/check-in", token: organizer).status == .ok)

            let response = try await api.request(.get, "/events/\(eventId)/stats", token: organizer)
            #expect(response.status == .ok)
            let stats = try response.json()
            #expect(stats["totalSeats"]?.intValue == 20)
            #expect(stats["bookedSeats"]?.intValue == 5)
            #expect(stats["availableSeats"]?.intValue == 15)
            #expect(stats["heldSeats"]?.intValue == 0)
            #expect(stats["checkedInSeats"]?.intValue == 3)
            #expect(stats["confirmedBookings"]?.intValue == 2)
            let today = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
            let days = try #require(stats["bookingsPerDay"]?.arrayValue)
            #expect(days.count == 1)
            #expect(days.first?["date"]?.stringValue == today)
            #expect(days.first?["bookings"]?.intValue == 3 && days.first?["seats"]?.intValue == 9, "the cancelled one was made today too")

            let refused = try await api.request(.get, "/events/\(eventId)/stats", token: rival)
            #expect(refused.status == .forbidden)
        }
    }
}
