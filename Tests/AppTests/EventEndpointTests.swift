import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import App

@Suite struct EventEndpointTests {
    @Test func organizerCreatesAnEventWithAllSeatsAvailable() async throws {
        try await TestApp.run { api in
            let token = try await api.register("o@example.com", role: "ORGANIZER")
            let response = try await api.request(
                .post, "/events", token: token,
                json: #"{"title": "Gala", "description": "Black tie", "totalSeats": 120, "eventDate": "2099-12-31T18:00:00.500+02:00"}"#)
            #expect(response.status == .created)
            let event = try response.json()
            #expect(event["availableSeats"]?.intValue == 120)
            #expect(event["status"]?.stringValue == "DRAFT")
            #expect(event["eventDate"]?.stringValue == "2099-12-31T16:00:00Z")
            #expect(event["version"]?.intValue == 0)
            #expect(event["organizer"]?.objectKeys == ["id", "firstname", "lastname"])
            #expect(event.objectKeys.isSuperset(of: ["id", "title", "description", "totalSeats", "organizerId", "createdAt", "updatedAt"]))
        }
    }

    @Test func userCannotCreateEvents() async throws {
        try await TestApp.run { api in
            let token = try await api.register("u@example.com")
            let response = try await api.request(.post, "/events", token: token, json: #"{"title": "x", "totalSeats": 1}"#)
            #expect(response.status == .forbidden)
            #expect(try await api.request(.post, "/events", json: #"{"title": "x", "totalSeats": 1}"#).status == .unauthorized)
        }
    }

    @Test func createValidatesEachField() async throws {
        try await TestApp.run { api in
            let token = try await api.register("o@example.com", role: "ORGANIZER")
            let response = try await api.request(
                .post, "/events", token: token, json: #"{"title": "", "totalSeats": 0, "status": "OPEN", "eventDate": "tomorrow"}"#)
            #expect(response.status == .badRequest)
            let fields = try response.json()["details"]?.arrayValue?.compactMap { $0["field"]?.stringValue }
            #expect(fields == ["title", "totalSeats", "status", "eventDate"])
        }
    }

    @Test func draftIsVisibleOnlyToItsOwner() async throws {
        try await TestApp.run { api in
            let owner = try await api.register("o@example.com", role: "ORGANIZER")
            let other = try await api.register("p@example.com", role: "ORGANIZER")
            let draft = try await api.createEvent(token: owner, status: "DRAFT")
            _ = try await api.createEvent(token: owner, title: "Public")
            #expect(try await api.request(.get, "/events/\(draft)", token: owner).status == .ok)
            #expect(try await api.request(.get, "/events/\(draft)", token: other).status == .notFound)
            #expect(try await api.request(.get, "/events/\(draft)").status == .notFound)
            let publicList = try await api.request(.get, "/events").json()
            #expect(publicList["meta"]?["total"]?.intValue == 1)
            #expect(publicList["data"]?[0]?["title"]?.stringValue == "Public")
            let ownerList = try await api.request(.get, "/events/organizer/my-events", token: owner).json()
            #expect(ownerList["meta"]?["total"]?.intValue == 2)
            let otherList = try await api.request(.get, "/events/organizer/my-events", token: other).json()
            #expect(otherList["meta"]?["total"]?.intValue == 0)
        }
    }

    @Test func listIsPaginatedNewestFirstAndFiltered() async throws {
        try await TestApp.run { api in
            let token = try await api.register("o@example.com", role: "ORGANIZER")
            for number in 1...5 {
                _ = try await api.createEvent(token: token, title: "Event \(number)", date: "2099-0\(number)-01T10:00:00Z")
            }
            let page = try await api.request(.get, "/events?page=2&limit=2").json()
            #expect(page["meta"]?["total"]?.intValue == 5)
            #expect(page["meta"]?["totalPages"]?.intValue == 3)
            #expect(page["meta"]?["page"]?.intValue == 2)
            #expect(page["data"]?.arrayValue?.compactMap { $0["title"]?.stringValue } == ["Event 3", "Event 2"])
            let ranged = try await api.request(.get, "/events?from=2099-02-01T00:00:00Z&to=2099-03-31T00:00:00Z").json()
            #expect(ranged["data"]?.arrayValue?.compactMap { $0["title"]?.stringValue } == ["Event 3", "Event 2"])
            #expect(try await api.request(.get, "/events?status=CANCELLED").json()["meta"]?["total"]?.intValue == 0)
            for bad in ["page=0", "limit=101", "limit=abc", "status=OPEN", "from=yesterday", "organizerId=x"] {
                let response = try await api.request(.get, "/events?\(bad)")
                #expect(response.status == .badRequest, "\(bad)")
                #expect(response.errorCode == "VALIDATION_FAILED")
            }
        }
    }

    @Test func publicAnswersNeverShowAnEmail() async throws {
        try await TestApp.run { api in
            let token = try await api.register("secret-address@example.com", role: "ORGANIZER")
            let id = try await api.createEvent(token: token)
            for path in ["/events", "/events/\(id)"] {
                #expect(!String(buffer: try await api.request(.get, path).body).contains("secret-address"))
            }
        }
    }

    @Test func ownerUpdatesAndOthersAreRefused() async throws {
        try await TestApp.run { api in
            let owner = try await api.register("o@example.com", role: "ORGANIZER")
            let other = try await api.register("p@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let id = try await api.createEvent(token: owner, seats: 10)
            _ = try await api.book(token: user, eventId: id, seats: 4)
            let updated = try await api.request(.put, "/events/\(id)", token: owner, json: #"{"title": "Renamed", "totalSeats": 20, "description": null}"#)
            #expect(updated.status == .ok)
            let event = try updated.json()
            #expect(event["title"]?.stringValue == "Renamed")
            #expect(event["availableSeats"]?.intValue == 16)
            #expect(event["description"] == .null)
            #expect(event["version"]?.intValue == 2, "one booking and one update")
            #expect(try await api.request(.put, "/events/\(id)", token: other, json: #"{"title": "Mine"}"#).status == .forbidden)
            #expect(try await api.request(.put, "/events/\(id)", token: user, json: #"{"title": "Mine"}"#).status == .forbidden)
            let below = try await api.request(.put, "/events/\(id)", token: owner, json: #"{"totalSeats": 3}"#)
            #expect(below.status == .badRequest)
            #expect(try below.json()["message"]?.stringValue == "Cannot reduce total seats below 4 (already booked seats)")
            #expect(try await api.request(.put, "/events/\(id)", token: owner, json: "{}").status == .badRequest)
            #expect(try await api.request(.put, "/events/999", token: owner, json: #"{"title": "x"}"#).status == .notFound)
        }
    }

    @Test func cancellingAnEventCancelsItsBookingsAndIsFinal() async throws {
        try await TestApp.run { api in
            let owner = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let id = try await api.createEvent(token: owner, seats: 10)
            let reference = try await api.book(token: user, eventId: id, seats: 3)
            let cancelled = try await api.request(.put, "/events/\(id)", token: owner, json: #"{"status": "CANCELLED"}"#).json()
            #expect(cancelled["availableSeats"]?.intValue == 10)
            let booking = try await api.request(.get, "/bookings/\(reference)", token: user).json()
            #expect(booking["status"]?.stringValue == "CANCELLED")
            let again = try await api.request(.put, "/events/\(id)", token: owner, json: #"{"status": "PUBLISHED"}"#)
            #expect(again.status == .badRequest)
            #expect(again.errorCode == "EVENT_NOT_EDITABLE")
        }
    }

    @Test func deleteIsRefusedOnceBookedAndAllowedBefore() async throws {
        try await TestApp.run { api in
            let owner = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let booked = try await api.createEvent(token: owner)
            let empty = try await api.createEvent(token: owner)
            _ = try await api.book(token: user, eventId: booked)
            let refused = try await api.request(.delete, "/events/\(booked)", token: owner)
            #expect(refused.status == .badRequest)
            #expect(refused.errorCode == "EVENT_HAS_BOOKINGS")
            let deleted = try await api.request(.delete, "/events/\(empty)", token: owner)
            #expect(deleted.status == .ok)
            #expect(try deleted.json() == .object(["message": .string("Event deleted successfully"), "eventId": .integer(empty)]))
            #expect(try await api.request(.get, "/events/\(empty)").status == .notFound)
            #expect(try await api.request(.get, "/events/abc").status == .badRequest)
        }
    }

    @Test func everyBadQueryParameterIsReportedInOneAnswer() async throws {
        try await TestApp.run { api in
            let response = try await api.request(.get, "/events?page=0&limit=abc&status=OPEN&organizerId=-1&from=yesterday")
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "VALIDATION_FAILED")
            let fields = Set((try response.json()["details"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue })
            #expect(fields == ["page", "limit", "status", "organizerId", "from"], "one path reads the whole query: \(fields)")
            #expect(try await api.request(.get, "/events?page=1&limit=100&status=PUBLISHED&organizerId=1").status == .ok)
        }
    }
}
