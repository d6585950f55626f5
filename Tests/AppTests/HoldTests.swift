import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOHTTP1
import Testing
@testable import App

/// Holds through the HTTP API: placing, confirming, releasing, the hard expiry, and the per-user cap.
@Suite struct HoldTests {
    @Test func aHoldConvertsIntoABooking() async throws {
        try await TestApp.run { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let other = try await api.register("other@example.com")
            let eventId = try await api.createEvent(token: organizer, seats: 10)

            let placed = try await api.request(.post, "/holds", token: user, json: #"{"eventId": \#(eventId), "seatCount": 3}"#)
            #expect(placed.status == .created)
            let hold = try #require(try placed.json()["data"])
            #expect(hold.objectKeys == ["holdReference", "eventId", "userId", "seatCount", "status", "expiresAt", "createdAt", "event"])
            #expect(hold["status"]?.stringValue == "ACTIVE" && hold["seatCount"]?.intValue == 3)
            #expect(hold["event"]?["title"]?.stringValue == "Concert")
            let created = try #require(isoDate(hold["createdAt"]?.stringValue ?? ""))
            let expires = try #require(isoDate(hold["expiresAt"]?.stringValue ?? ""))
            #expect((600...601).contains(expires.timeIntervalSince(created)), "HOLD_DEFAULT_SECONDS, to the whole second")
            #expect(try await api.availableSeats(eventId) == 7, "the seats left availableSeats at once")

            let reference = try #require(hold["holdReference"]?.stringValue)
            #expect(try await api.request(.get, "/holds/\(reference)", token: user).status == .ok)
            #expect(try await api.request(.get, "/holds/\(reference)", token: other).status == .forbidden)
            #expect(try await api.request(.post, "/holds/\(reference)/confirm", token: other).status == .forbidden)
            #expect(try await api.request(.get, "/holds/not-a-uuid", token: user).errorCode == "HOLD_NOT_FOUND")

            let confirmed = try await api.request(.post, "/holds/\(reference)/confirm", token: user)
            #expect(confirmed.status == .created)
            let booking = try confirmed.json()
            #expect(booking["success"] == .bool(true) && booking["message"]?.stringValue == "Booking confirmed successfully")
            #expect(booking["data"]?["status"]?.stringValue == "CONFIRMED" && booking["data"]?["seatCount"]?.intValue == 3)
            #expect(try await api.availableSeats(eventId) == 7, "confirming keeps the seats taken")
            #expect(try await api.request(.get, "/holds/\(reference)", token: user).json()["status"]?.stringValue == "CONFIRMED")

            let again = try await api.request(.post, "/holds/\(reference)/confirm", token: user)
            #expect(again.status == .conflict && again.errorCode == "HOLD_NOT_ACTIVE")
            let release = try await api.request(.delete, "/holds/\(reference)", token: user)
            #expect(release.status == .conflict && release.errorCode == "HOLD_NOT_ACTIVE")

            let mails = try await api.awaitMails(to: "u@example.com", count: 2)
            #expect(mails.last?.contains("Booking confirmed: Concert") == true)
            let ledger = try await SeatLedgerTests.ledger(api, eventId: eventId, token: organizer)
            #expect(ledger.compactMap { $0["reason"]?.stringValue } == ["EVENT_CREATED", "HOLD_PLACED", "HOLD_CONFIRMED"])
            #expect(ledger.last?["holdReference"]?.stringValue == reference)
            #expect(ledger.last?["bookingReference"]?.stringValue == booking["data"]?["bookingReference"]?.stringValue)
            #expect(try await api.app.database.checkIntegrity().isHealthy)
        }
    }

    @Test func aHoldExpiresItsSeatsComeBackAndConfirmingLateIsGone() async throws {
        try await TestApp.run { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let eventId = try await api.createEvent(token: organizer, seats: 10, more: #""holdDurationSeconds": 5"#)
            let hold = try await api.hold(token: user, eventId: eventId, seats: 4)
            let reference = try #require(hold["holdReference"]?.stringValue)
            let expiresAt = try #require(isoDate(hold["expiresAt"]?.stringValue ?? ""))
            #expect(try await api.availableSeats(eventId) == 6)

            try await Task.sleep(for: .seconds(max(0, expiresAt.timeIntervalSinceNow)))
            // From expiresAt on, whether or not the sweep has run yet:
            #expect(try await api.availableSeats(eventId) == 10, "no read counts an expired hold")
            let late = try await api.request(.post, "/holds/\(reference)/confirm", token: user)
            #expect(late.status == .gone && late.errorCode == "HOLD_EXPIRED")

            #expect(try await api.eventually {
                try await api.request(.get, "/holds/\(reference)", token: user).json()["status"]?.stringValue == "EXPIRED"
            }, "the sweep marks it")
            #expect(try await api.request(.post, "/holds/\(reference)/confirm", token: user).errorCode == "HOLD_EXPIRED")
            let mails = try await api.awaitMails(to: "u@example.com", count: 2)
            #expect(mails.last?.contains("Your hold has expired: Concert") == true)
            let ledger = try await SeatLedgerTests.ledger(api, eventId: eventId, token: organizer)
            #expect(ledger.compactMap { $0["reason"]?.stringValue } == ["EVENT_CREATED", "HOLD_PLACED", "HOLD_EXPIRED"])
            #expect(ledger.last?["actorId"] == .null, "the service expired it")
            #expect(try await api.app.database.checkIntegrity().isHealthy)
        }
    }

    @Test func releasingAHoldGivesItsSeatsBackAtOnce() async throws {
        try await TestApp.run { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let eventId = try await api.createEvent(token: organizer, seats: 5)
            let reference = try #require(try await api.hold(token: user, eventId: eventId, seats: 5)["holdReference"]?.stringValue)
            let soldOut = try await api.request(.post, "/bookings", token: user, json: #"{"eventId": \#(eventId), "seatCount": 1}"#)
            #expect(soldOut.errorCode == "SEATS_UNAVAILABLE", "held seats are not for sale")
            let released = try await api.request(.delete, "/holds/\(reference)", token: user)
            #expect(released.status == .ok)
            #expect(try released.json()["data"]?["status"]?.stringValue == "RELEASED")
            #expect(try await api.availableSeats(eventId) == 5)
            #expect(try await api.request(.delete, "/holds/\(reference)", token: user).errorCode == "HOLD_NOT_ACTIVE")
            #expect(try await api.app.database.checkIntegrity().isHealthy)
        }
    }

    @Test func holdsFollowTheBookingRules() async throws {
        try await TestApp.run { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let draft = try await api.createEvent(token: organizer, status: "DRAFT")
            let past = try await api.createEvent(token: organizer, date: "2020-01-01T00:00:00Z")
            let small = try await api.createEvent(token: organizer, seats: 2)
            func hold(_ eventId: Int64, _ seats: Int, key: String? = nil) async throws -> TestResponse {
                try await api.request(
                    .post, "/holds", token: user, json: #"{"eventId": \#(eventId), "seatCount": \#(seats)}"#,
                    headers: key.map { [HTTPField.Name("Idempotency-Key")!: $0] } ?? [:])
            }
            #expect(try await hold(draft, 1).errorCode == "EVENT_NOT_FOUND", "another organizer's draft is hidden")
            #expect(try await hold(past, 1).errorCode == "EVENT_IN_PAST")
            #expect(try await hold(small, 3).errorCode == "SEATS_UNAVAILABLE")
            #expect(try await hold(small, 11).errorCode == "VALIDATION_FAILED", "BOOKING_MAX_SEATS")
            #expect(try await api.request(.post, "/holds", json: #"{"eventId": \#(small), "seatCount": 1}"#).status == .unauthorized)

            let first = try await hold(small, 1, key: "hold-once")
            let replay = try await hold(small, 1, key: "hold-once")
            #expect(first.status == .created && replay.status == .created)
            #expect(replay.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(try first.json()["data"]?["holdReference"] == replay.json()["data"]?["holdReference"])
            #expect(try await api.availableSeats(small) == 1, "held once")
            #expect(try await hold(small, 2, key: "hold-once").errorCode == "IDEMPOTENCY_KEY_REUSED")
        }
    }

    @Test func eventsCarryTheirHoldDurationAndCap() async throws {
        try await TestApp.run(configure: { $0.holdDefaultSeconds = 90 }) { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let plain = try await api.createEvent(token: organizer, seats: 10)
            let shown = try await api.request(.get, "/events/\(plain)").json()
            #expect(shown["holdDurationSeconds"]?.intValue == 90 && shown["maxSeatsPerUser"] == .null)

            let capped = try await api.createEvent(token: organizer, seats: 10, more: #""holdDurationSeconds": 300, "maxSeatsPerUser": 4"#)
            let event = try await api.request(.get, "/events/\(capped)").json()
            #expect(event["holdDurationSeconds"]?.intValue == 300 && event["maxSeatsPerUser"]?.intValue == 4)

            for body in [#""holdDurationSeconds": 4"#, #""holdDurationSeconds": 7201"#, #""maxSeatsPerUser": 11"#, #""maxSeatsPerUser": 0"#] {
                let refused = try await api.request(
                    .post, "/events", token: organizer, json: #"{"title": "Bad", "totalSeats": 10, \#(body)}"#)
                #expect(refused.status == .badRequest && refused.errorCode == "VALIDATION_FAILED", "\(body)")
            }
            let cleared = try await api.request(.put, "/events/\(capped)", token: organizer, json: #"{"maxSeatsPerUser": null}"#)
            #expect(try cleared.json()["maxSeatsPerUser"] == .null)
            let above = try await api.request(.put, "/events/\(capped)", token: organizer, json: #"{"maxSeatsPerUser": 12}"#)
            #expect(above.status == .badRequest && above.errorCode == "VALIDATION_FAILED")
            let shrunk = try await api.request(.put, "/events/\(capped)", token: organizer, json: #"{"maxSeatsPerUser": 2, "holdDurationSeconds": 60}"#)
            #expect(try shrunk.json()["maxSeatsPerUser"]?.intValue == 2 && shrunk.json()["holdDurationSeconds"]?.intValue == 60)
        }
    }

    @Test func sixteenConcurrentBookingsByOneUserWithACapOfFourBookExactlyFour() async throws {
        try await TestApp.run(.live) { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let eventId = try await api.createEvent(token: organizer, seats: 100, more: #""maxSeatsPerUser": 4"#)
            let outcomes = try await StampedeTests.stampede(port: try #require(api.client.port), eventId: eventId, tokens: [user], requests: 16) { _ in 1 }

            #expect(outcomes.filter { $0.status == 201 }.count == 4)
            let refused = outcomes.filter { $0.status == 409 }
            #expect(refused.count == 12 && refused.allSatisfy { $0.body.contains("USER_SEAT_LIMIT") }, "\(Set(outcomes.map(\.status)))")
            #expect(refused.allSatisfy { $0.body.contains("you may add 0 more") }, "the message names what is left")
            #expect(try await api.availableSeats(eventId) == 96)

            // Holds count too, and the message says how many seats are left.
            let other = try await api.register("other@example.com")
            _ = try await api.hold(token: other, eventId: eventId, seats: 3)
            let over = try await api.request(.post, "/bookings", token: other, json: #"{"eventId": \#(eventId), "seatCount": 2}"#)
            #expect(over.status == .conflict && over.errorCode == "USER_SEAT_LIMIT")
            #expect(try over.json()["message"]?.stringValue?.contains("you may add 1 more") == true)
            #expect(try over.json()["meta"]?["remainingSeats"]?.intValue == 1)
            #expect(try await api.app.database.checkIntegrity().isHealthy)
        }
    }

    /// Holds, confirms, releases, bookings, cancellations, waitlist joins and expiries all at once on one event:
    /// the answers and the database agree seat for seat, and `check` is clean.
    @Test func aStampedeOfHoldsConfirmsCancelsAndExpiriesKeepsTheInvariant() async throws {
        try await TestApp.run(.live) { api in
            let port = try #require(api.client.port)
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let tokens = try await StampedeTests.users(api, count: 12)
            let waiters = try await (0..<6).asyncMap { try await api.register("waiter\($0)@example.com") }
            let eventId = try await api.createEvent(token: organizer, seats: 60, more: #""holdDurationSeconds": 5"#)
            typealias Call = StampedeTests.Call
            func holdCall(_ index: Int) -> Call {
                Call(method: .POST, path: "/holds", token: tokens[index % tokens.count], body: #"{"eventId": \#(eventId), "seatCount": \#(index % 2 + 1)}"#, seats: index % 2 + 1)
            }
            func bookCall(_ index: Int) -> Call { StampedeTests.booking(eventId: eventId, token: tokens[index % tokens.count], seats: 1) }
            func status(_ outcome: StampedeTests.Outcome) -> String { "\(outcome.status) \(outcome.body.prefix(120))" }
            var bookedSeats = 0

            // Round 1: holds and bookings race for 60 seats, and waiters join when they run short.
            var first: [Call] = []
            for index in 0..<60 {
                first.append(holdCall(index))
                if index % 3 == 0 { first.append(bookCall(index)) }
                if index % 10 == 5 {
                    first.append(Call(method: .POST, path: "/events/\(eventId)/waitlist", token: waiters[index / 10], body: #"{"seatCount": 2}"#))
                }
            }
            let firstOutcomes = try await StampedeTests.burst(port: port, first)
            var holds: [(reference: String, call: Call)] = []
            var bookings: [(reference: String, call: Call)] = []
            for (call, outcome) in zip(first, firstOutcomes) {
                let data = try JSONDecoder().decode(JSONValue.self, from: Data(outcome.body.utf8))["data"]
                switch (call.path, outcome.status) {
                case ("/holds", 201): holds.append((try #require(data?["holdReference"]?.stringValue), call))
                case ("/bookings", 201):
                    bookings.append((try #require(data?["bookingReference"]?.stringValue), call))
                    bookedSeats += call.seats
                case ("/holds", 409), ("/bookings", 409): #expect(outcome.body.contains("SEATS_UNAVAILABLE"), "\(status(outcome))")
                case (_, 201): break  // joined the waitlist
                default: #expect(outcome.body.contains("SEATS_AVAILABLE"), "a waiter joins or is told to book: \(status(outcome))")
                }
            }
            #expect(holds.count > 10 && !bookings.isEmpty)

            // Round 2: confirm half the holds, release a quarter, cancel half the bookings, while more holds and bookings come in.
            var second: [Call] = []
            for (index, hold) in holds.enumerated() {
                if index % 2 == 0 {
                    second.append(Call(method: .POST, path: "/holds/\(hold.reference)/confirm", token: hold.call.token, seats: hold.call.seats))
                } else if index % 4 == 1 {
                    second.append(Call(method: .DELETE, path: "/holds/\(hold.reference)", token: hold.call.token, seats: hold.call.seats))
                }
                second.append(holdCall(index + 1))
            }
            for (index, booking) in bookings.enumerated() where index % 2 == 0 {
                second.append(Call(method: .DELETE, path: "/bookings/\(booking.reference)", token: booking.call.token, seats: booking.call.seats))
                second.append(bookCall(index))
            }
            for (call, outcome) in zip(second, try await StampedeTests.burst(port: port, second)) {
                let isConfirm = call.path.hasSuffix("/confirm"), isBooking = call.path == "/bookings", isHold = call.path == "/holds"
                let isCancel = call.method == .DELETE && call.path.hasPrefix("/bookings/")
                let isRelease = call.method == .DELETE && call.path.hasPrefix("/holds/")
                switch outcome.status {
                case 201 where isConfirm || isBooking: bookedSeats += call.seats
                case 200 where isCancel: bookedSeats -= call.seats
                case 200 where isRelease, 201 where isHold: break
                case 410 where isConfirm || isRelease: break  // a slow machine let the hold lapse first: its seats came back
                case 409 where isHold || isBooking: #expect(outcome.body.contains("SEATS_UNAVAILABLE"), "\(status(outcome))")
                default: Issue.record("unexpected answer to \(call.method) \(call.path): \(status(outcome))")
                }
            }

            // Round 3: bookings race the expiry of every hold still active (and of the offers it makes).
            try await Task.sleep(for: .seconds(5))
            let third = (0..<40).map(bookCall)
            for (call, outcome) in zip(third, try await StampedeTests.burst(port: port, third)) {
                if outcome.status == 201 { bookedSeats += call.seats } else { #expect(outcome.status == 409, "\(status(outcome))") }
            }
            #expect(try await api.eventually(timeout: .seconds(40)) { try await api.app.database.nextHoldExpiry() == nil }, "every hold ended")

            let event = try await api.app.database.event(id: eventId, viewerId: nil).event
            #expect(event.availableSeats == 60 - bookedSeats, "the 201s and 200s answered account for every seat")
            let ledger = try await SeatLedgerTests.ledger(api, eventId: eventId, token: organizer)
            #expect(ledger.compactMap { $0["delta"]?.intValue }.reduce(0, +) == event.availableSeats)
            let reasons = Set(ledger.compactMap { $0["reason"]?.stringValue })
            #expect(reasons.isSuperset(of: ["HOLD_PLACED", "HOLD_CONFIRMED", "HOLD_RELEASED", "HOLD_EXPIRED"]), "\(reasons)")
            #expect(try await api.app.database.checkIntegrity().isHealthy)
        }
    }
}

/// A timestamp of the API (ISO 8601 in UTC, to the second).
func isoDate(_ text: String) -> Date? {
    try? Date(text, strategy: .iso8601)
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
