import Foundation
import Testing
@testable import App

/// Every change of an event's available seats leaves one ledger entry, read by its organizer.
@Suite struct SeatLedgerTests {
    /// Every entry of the event's ledger, read page by page through the API.
    static func ledger(_ api: TestAPI, eventId: Int64, token: String) async throws -> [JSONValue] {
        var entries: [JSONValue] = []
        var page = 1
        while true {
            let body = try await api.request(.get, "/events/\(eventId)/ledger?limit=100&page=\(page)", token: token).json()
            entries += body["data"]?.arrayValue ?? []
            guard page < body["meta"]?["totalPages"]?.intValue ?? 0 else { return entries }
            page += 1
        }
    }

    @Test func eachSeatChangeIsOneEntryAndTheDeltasSumToTheAvailableSeats() async throws {
        try await TestApp.run(.live) { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let eventId = try await api.createEvent(token: organizer, seats: 10)
            let kept = try await api.book(token: user, eventId: eventId, seats: 3)
            let dropped = try await api.book(token: user, eventId: eventId, seats: 2)
            #expect(try await api.request(.delete, "/bookings/\(dropped)", token: user).status == .ok)
            #expect(try await api.request(.put, "/events/\(eventId)", token: organizer, json: #"{"totalSeats": 15}"#).status == .ok)
            #expect(try await api.request(.put, "/events/\(eventId)", token: organizer, json: #"{"title": "Renamed"}"#).status == .ok)
            #expect(try await api.request(.put, "/events/\(eventId)", token: organizer, json: #"{"status": "CANCELLED"}"#).status == .ok)

            let entries = try await Self.ledger(api, eventId: eventId, token: organizer)
            let reasons = entries.compactMap { $0["reason"]?.stringValue }
            #expect(reasons == ["EVENT_CREATED", "BOOKED", "BOOKED", "CANCELLED", "CAPACITY_CHANGED", "EVENT_CANCELLED"], "a rename changes no seat")
            #expect(entries.compactMap { $0["delta"]?.intValue } == [10, -3, -2, 2, 5, 3])
            #expect(entries.compactMap { $0["availableAfter"]?.intValue } == [10, 7, 5, 7, 12, 15])
            #expect(entries[1]["bookingReference"]?.stringValue == kept)
            #expect(entries[3]["bookingReference"]?.stringValue == dropped)
            #expect(entries[0]["actorId"] != .null && entries[0]["holdReference"] == .null)
            let versions = entries.compactMap { $0["version"]?.intValue }
            #expect(versions == versions.sorted() && Set(versions).count == versions.count, "each entry names the version it made")
            let event = try await api.request(.get, "/events/\(eventId)").json()
            #expect(entries.compactMap { $0["delta"]?.intValue }.reduce(0, +) == event["availableSeats"]?.intValue)

            let csv = try await api.request(.get, "/events/\(eventId)/ledger?format=csv", token: organizer)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            let rows = AttendeeTests.parseCSV(String(buffer: csv.body))
            #expect(rows.count == 1 + entries.count)
            #expect(rows[2][2] == "-3" && rows[2][3] == "BOOKED", "a negative delta stays a number")
        }
    }
}
