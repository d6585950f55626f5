import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import App

/// Waitlists through the HTTP API: joining, the order they are served in, offers that lapse, leaving.
@Suite struct WaitlistTests {
    static func join(_ api: TestAPI, token: String, eventId: Int64, seats: Int) async throws -> TestResponse {
        try await api.request(.post, "/events/\(eventId)/waitlist", token: token, json: #"{"seatCount": \#(seats)}"#)
    }

    static func entry(_ api: TestAPI, token: String, eventId: Int64) async throws -> JSONValue {
        try await api.request(.get, "/events/\(eventId)/waitlist/me", token: token).json()
    }

    @Test func aWaitlistIsServedInOrderWhenABookingIsCancelled() async throws {
        try await TestApp.run { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let booker = try await api.register("booker@example.com")
            let first = try await api.register("first@example.com")
            let second = try await api.register("second@example.com")
            let third = try await api.register("third@example.com")
            let eventId = try await api.createEvent(token: organizer, seats: 3)
            let booking = try await api.book(token: booker, eventId: eventId, seats: 3)

            let joined = try await Self.join(api, token: first, eventId: eventId, seats: 1)
            #expect(joined.status == .created)
            let entry = try #require(try joined.json()["data"])
            #expect(entry.objectKeys == ["waitlistReference", "eventId", "userId", "seatCount", "position", "status", "holdReference", "createdAt"])
            #expect(entry["position"]?.intValue == 1 && entry["status"]?.stringValue == "WAITING" && entry["holdReference"] == .null)
            #expect(try await Self.join(api, token: second, eventId: eventId, seats: 2).json()["data"]?["position"]?.intValue == 2)
            #expect(try await Self.join(api, token: third, eventId: eventId, seats: 1).json()["data"]?["position"]?.intValue == 3)

            #expect(try await api.request(.delete, "/bookings/\(booking)", token: booker).status == .ok)
            // Three seats back: the first two entries fit (1 + 2) and are offered them, in order; the third waits.
            let firstEntry = try await Self.entry(api, token: first, eventId: eventId)
            let secondEntry = try await Self.entry(api, token: second, eventId: eventId)
            let thirdEntry = try await Self.entry(api, token: third, eventId: eventId)
            #expect(firstEntry["status"]?.stringValue == "OFFERED" && firstEntry["position"] == .null)
            #expect(secondEntry["status"]?.stringValue == "OFFERED")
            #expect(thirdEntry["status"]?.stringValue == "WAITING" && thirdEntry["position"]?.intValue == 1)
            #expect(try await api.availableSeats(eventId) == 0, "the offers hold every seat that came back")

            let offered = try #require(firstEntry["holdReference"]?.stringValue)
            let hold = try await api.request(.get, "/holds/\(offered)", token: first).json()
            #expect(hold["seatCount"]?.intValue == 1 && hold["status"]?.stringValue == "ACTIVE")
            let mail = try #require(try await api.awaitMails(to: "first@example.com", count: 2).last)
            #expect(mail.contains("Seats are waiting for you: Concert") && mail.contains(offered))

            #expect(try await api.request(.post, "/holds/\(offered)/confirm", token: first).status == .created)
            #expect(try await Self.entry(api, token: first, eventId: eventId)["status"]?.stringValue == "CONVERTED")

            let list = try await api.request(.get, "/events/\(eventId)/waitlist", token: organizer).json()
            #expect(list["data"]?.arrayValue?.compactMap { $0["status"]?.stringValue } == ["CONVERTED", "OFFERED", "WAITING"])
            #expect(list["meta"]?["total"]?.intValue == 3)
            #expect(try await api.request(.get, "/events/\(eventId)/waitlist", token: first).status == .forbidden)
            #expect(try await api.app.database.checkIntegrity().isHealthy)
        }
    }

    @Test func aSmallerEntryMayPassAGroupThatDoesNotFitAndTheGroupKeepsItsPlace() async throws {
        try await TestApp.run { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let booker = try await api.register("booker@example.com")
            let group = try await api.register("group@example.com")
            let single = try await api.register("single@example.com")
            let eventId = try await api.createEvent(token: organizer, seats: 2)
            let one = try await api.book(token: booker, eventId: eventId, seats: 1)
            let two = try await api.book(token: booker, eventId: eventId, seats: 1)
            #expect(try await Self.join(api, token: group, eventId: eventId, seats: 2).status == .created)
            #expect(try await Self.join(api, token: single, eventId: eventId, seats: 1).status == .created)

            #expect(try await api.request(.delete, "/bookings/\(one)", token: booker).status == .ok)
            #expect(try await Self.entry(api, token: single, eventId: eventId)["status"]?.stringValue == "OFFERED", "one seat: the single passes")
            let waiting = try await Self.entry(api, token: group, eventId: eventId)
            #expect(waiting["status"]?.stringValue == "WAITING" && waiting["position"]?.intValue == 1, "the group keeps its place")

            #expect(try await api.request(.delete, "/bookings/\(two)", token: booker).status == .ok)
            #expect(try await Self.entry(api, token: group, eventId: eventId)["status"]?.stringValue == "WAITING", "one free seat is not two")
            #expect(try await api.availableSeats(eventId) == 1)

            // The single declines its offer: two seats are free at once, and the group gets them.
            let declined = try #require(try await Self.entry(api, token: single, eventId: eventId)["holdReference"]?.stringValue)
            #expect(try await api.request(.delete, "/holds/\(declined)", token: single).status == .ok)
            #expect(try await Self.entry(api, token: single, eventId: eventId)["status"]?.stringValue == "LEFT")
            let served = try await Self.entry(api, token: group, eventId: eventId)
            #expect(served["status"]?.stringValue == "OFFERED")
            #expect(try await api.availableSeats(eventId) == 0)
            #expect(try await api.app.database.checkIntegrity().isHealthy)
        }
    }

    @Test func anUnansweredOfferPassesToTheNextEntry() async throws {
        try await TestApp.run { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let booker = try await api.register("booker@example.com")
            let late = try await api.register("late@example.com")
            let next = try await api.register("next@example.com")
            let eventId = try await api.createEvent(token: organizer, seats: 1, more: #""holdDurationSeconds": 5"#)
            let booking = try await api.book(token: booker, eventId: eventId)
            #expect(try await Self.join(api, token: late, eventId: eventId, seats: 1).status == .created)
            #expect(try await Self.join(api, token: next, eventId: eventId, seats: 1).status == .created)
            #expect(try await api.request(.delete, "/bookings/\(booking)", token: booker).status == .ok)
            let offer = try #require(try await Self.entry(api, token: late, eventId: eventId)["holdReference"]?.stringValue)

            // Nobody confirms: once the hold lapses, the sweep gives its seat to the next entry.
            #expect(try await api.eventually {
                try await Self.entry(api, token: next, eventId: eventId)["status"]?.stringValue == "OFFERED"
            })
            #expect(try await Self.entry(api, token: late, eventId: eventId)["status"]?.stringValue == "EXPIRED")
            #expect(try await api.request(.post, "/holds/\(offer)/confirm", token: late).errorCode == "HOLD_EXPIRED")
            #expect(try await api.availableSeats(eventId) == 0)
            let lateMails = try await api.awaitMails(to: "late@example.com", count: 3)
            #expect(lateMails.contains { $0.contains("Your hold has expired: Concert") })
            #expect(try await api.awaitMails(to: "next@example.com", count: 2).last?.contains("Seats are waiting for you") == true)
            #expect(try await api.app.database.checkIntegrity().isHealthy)
        }
    }

    @Test func joiningAndLeavingFollowTheRules() async throws {
        try await TestApp.run { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let eventId = try await api.createEvent(token: organizer, seats: 3, more: #""maxSeatsPerUser": 2"#)
            #expect(try await api.request(.get, "/events/\(eventId)/waitlist/me", token: user).errorCode == "WAITLIST_ENTRY_NOT_FOUND")
            let notNeeded = try await Self.join(api, token: user, eventId: eventId, seats: 2)
            #expect(notNeeded.status == .conflict && notNeeded.errorCode == "SEATS_AVAILABLE")

            _ = try await api.book(token: try await api.register("b@example.com"), eventId: eventId, seats: 2)
            #expect(try await Self.join(api, token: user, eventId: eventId, seats: 4).errorCode == "VALIDATION_FAILED", "more than the event has")
            #expect(try await Self.join(api, token: user, eventId: eventId, seats: 3).errorCode == "USER_SEAT_LIMIT")
            #expect(try await Self.join(api, token: user, eventId: eventId, seats: 2).status == .created)
            #expect(try await Self.join(api, token: user, eventId: eventId, seats: 2).errorCode == "ALREADY_ON_WAITLIST")
            #expect(try await Self.join(api, token: user, eventId: 999_999, seats: 2).errorCode == "EVENT_NOT_FOUND")

            let left = try await api.request(.delete, "/events/\(eventId)/waitlist/me", token: user)
            let leftStatus = try left.json()["data"]?["status"]?.stringValue
            #expect(left.status == .ok && leftStatus == "LEFT")
            #expect(try await api.request(.delete, "/events/\(eventId)/waitlist/me", token: user).errorCode == "WAITLIST_ENTRY_NOT_FOUND")
            #expect(try await Self.join(api, token: user, eventId: eventId, seats: 2).status == .created, "one may join again after leaving")
        }
    }
}
