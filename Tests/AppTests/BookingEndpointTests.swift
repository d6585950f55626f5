import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import App

@Suite struct BookingEndpointTests {
    @Test func bookingAnswers201WithTheEnvelopeAndTakesTheSeats() async throws {
        try await TestApp.run { api in
            let owner = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let id = try await api.createEvent(token: owner, seats: 5)
            let response = try await api.request(.post, "/bookings", token: user, json: #"{"eventId": \#(id), "seatCount": 3}"#)
            #expect(response.status == .created)
            let body = try response.json()
            #expect(body["success"] == .bool(true))
            #expect(body["message"]?.stringValue == "Booking confirmed successfully")
            let booking = try #require(body["data"])
            #expect(booking["status"]?.stringValue == "CONFIRMED")
            #expect(booking["seatCount"]?.intValue == 3)
            #expect(UUID(uuidString: booking["bookingReference"]?.stringValue ?? "") != nil)
            #expect(booking["event"]?.objectKeys == ["id", "title", "eventDate", "status"])
            #expect(try await api.request(.get, "/events/\(id)").json()["availableSeats"]?.intValue == 2)
        }
    }

    @Test func refusalsHaveTheirOwnCodes() async throws {
        try await TestApp.run { api in
            let owner = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let small = try await api.createEvent(token: owner, seats: 2)
            let draft = try await api.createEvent(token: owner, status: "DRAFT")
            let past = try await api.createEvent(token: owner, date: "2001-01-01T00:00:00Z")
            let cancelled = try await api.createEvent(token: owner)
            try await api.request(.put, "/events/\(cancelled)", token: owner, json: #"{"status": "CANCELLED"}"#)
            func book(_ id: Int64, _ seats: Int) async throws -> TestResponse {
                try await api.request(.post, "/bookings", token: user, json: #"{"eventId": \#(id), "seatCount": \#(seats)}"#)
            }
            let tooMany = try await book(small, 3)
            #expect(tooMany.status == .conflict)
            #expect(try tooMany.json()["message"]?.stringValue == "Not enough seats available. Requested: 3, Available: 2")
            #expect(try await book(small, 11).errorCode == "VALIDATION_FAILED", "more than BOOKING_MAX_SEATS")
            #expect(try await book(small, 0).errorCode == "VALIDATION_FAILED")
            #expect(try await book(draft, 1).status == .notFound)
            #expect(try await book(9999, 1).status == .notFound)
            #expect(try await book(past, 1).errorCode == "EVENT_IN_PAST")
            #expect(try await book(cancelled, 1).errorCode == "EVENT_NOT_BOOKABLE")
            #expect(try await api.request(.post, "/bookings", json: #"{"eventId": 1, "seatCount": 1}"#).status == .unauthorized)
        }
    }

    @Test func sameIdempotencyKeyReplaysAndADifferentBodyIs422() async throws {
        try await TestApp.run { api in
            let owner = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let id = try await api.createEvent(token: owner, seats: 5)
            let key: HTTPFields = [.idempotencyKey: "order-123"]
            let first = try await api.request(.post, "/bookings", token: user, json: #"{"eventId": \#(id), "seatCount": 2}"#, headers: key)
            let second = try await api.request(.post, "/bookings", token: user, json: #"{"seatCount":2,"eventId":\#(id)}"#, headers: key)
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(String(buffer: first.body) == String(buffer: second.body))
            #expect(second.headers[.idempotentReplayed] == "true")
            #expect(try await api.request(.get, "/events/\(id)").json()["availableSeats"]?.intValue == 3)
            let reused = try await api.request(.post, "/bookings", token: user, json: #"{"eventId": \#(id), "seatCount": 1}"#, headers: key)
            #expect(reused.status == .unprocessableContent)
            #expect(reused.errorCode == "IDEMPOTENCY_KEY_REUSED")
            // Keys belong to their user: another user's same key is a new booking.
            let other = try await api.register("v@example.com")
            #expect(try await api.request(.post, "/bookings", token: other, json: #"{"eventId": \#(id), "seatCount": 2}"#, headers: key).status == .created)
            #expect(try await api.request(.get, "/events/\(id)").json()["availableSeats"]?.intValue == 1)
        }
    }

    @Test func idempotencyKeyIsMeasuredAsTheDatabaseCountsItSoAHostileOneIsA400() async throws {
        try await TestApp.run { api in
            let owner = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let id = try await api.createEvent(token: owner, seats: 5)
            // One character to Swift, 301 Unicode scalars to SQLite's length(): over the 255 the CHECK allows.
            let hostile = "e" + String(repeating: "\u{301}", count: 300)
            #expect(hostile.count == 1)
            let response = try await api.request(
                .post, "/bookings", token: user, json: #"{"eventId": \#(id), "seatCount": 1}"#, headers: [.idempotencyKey: hostile])
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "VALIDATION_FAILED")
            #expect(try response.json()["details"]?[0]?["field"]?.stringValue == "Idempotency-Key")
            let longest = String(repeating: "k", count: 255)
            let accepted = try await api.request(
                .post, "/bookings", token: user, json: #"{"eventId": \#(id), "seatCount": 1}"#, headers: [.idempotencyKey: longest])
            #expect(accepted.status == .created, "255 is still allowed")
            #expect(try await api.request(.get, "/events/\(id)").json()["availableSeats"]?.intValue == 4)
        }
    }

    @Test func bookingIsVisibleToItsBookerAndTheOrganizerOnly() async throws {
        try await TestApp.run { api in
            let owner = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let stranger = try await api.register("s@example.com")
            let id = try await api.createEvent(token: owner)
            let reference = try await api.book(token: user, eventId: id, seats: 2)
            #expect(try await api.request(.get, "/bookings/\(reference)", token: user).status == .ok)
            #expect(try await api.request(.get, "/bookings/\(reference)", token: owner).status == .ok)
            #expect(try await api.request(.get, "/bookings/\(reference)", token: stranger).status == .forbidden)
            #expect(try await api.request(.get, "/bookings/not-a-uuid", token: user).status == .notFound)
            #expect(try await api.request(.get, "/bookings/\(UUID().uuidString)", token: user).status == .notFound)
        }
    }

    @Test func listShowsOwnBookingsNewestFirstWithAStatusFilter() async throws {
        try await TestApp.run { api in
            let owner = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let other = try await api.register("v@example.com")
            let id = try await api.createEvent(token: owner)
            let first = try await api.book(token: user, eventId: id)
            let second = try await api.book(token: user, eventId: id)
            _ = try await api.book(token: other, eventId: id)
            try await api.request(.delete, "/bookings/\(first)", token: user)
            let all = try await api.request(.get, "/bookings", token: user).json()
            #expect(all["meta"]?["total"]?.intValue == 2)
            #expect(all["data"]?.arrayValue?.compactMap { $0["bookingReference"]?.stringValue } == [second, first])
            let confirmed = try await api.request(.get, "/bookings?status=CONFIRMED", token: user).json()
            #expect(confirmed["data"]?.arrayValue?.compactMap { $0["bookingReference"]?.stringValue } == [second])
            #expect(try await api.request(.get, "/bookings?status=MAYBE", token: user).status == .badRequest)
        }
    }

    @Test func cancelReleasesTheSeatsOnceAndOnlyForTheBooker() async throws {
        try await TestApp.run { api in
            let owner = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let id = try await api.createEvent(token: owner, seats: 5)
            let reference = try await api.book(token: user, eventId: id, seats: 3)
            #expect(try await api.request(.delete, "/bookings/\(reference)", token: owner).status == .forbidden)
            let cancelled = try await api.request(.delete, "/bookings/\(reference)", token: user)
            #expect(cancelled.status == .ok)
            #expect(try cancelled.json()["message"]?.stringValue == "Booking cancelled successfully. Seats have been released.")
            #expect(try cancelled.json()["data"]?["status"]?.stringValue == "CANCELLED")
            #expect(try await api.request(.delete, "/bookings/\(reference)", token: user).errorCode == "BOOKING_ALREADY_CANCELLED")
            #expect(try await api.request(.get, "/events/\(id)").json()["availableSeats"]?.intValue == 5)
        }
    }
}
