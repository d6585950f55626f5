import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Testing
@testable import App
@testable import Storage

/// Hundreds of simultaneous bookings through a live server and a client with many connections.
@Suite struct StampedeTests {
    struct Outcome: Sendable {
        var status: UInt
        var seats: Int
        var body: String
    }

    /// One request of a concurrent burst.
    struct Call: Sendable {
        var method: HTTPMethod
        var path: String
        var token: String
        var body: String?
        var idempotencyKey: String?
        /// Seats asked for, when it is a booking.
        var seats = 0
    }

    /// Sends every call at once over a pool of 64 connections and returns the outcomes in the calls' order.
    static func burst(port: Int, _ calls: [Call]) async throws -> [Outcome] {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let outcomes = try await withThrowingTaskGroup(of: (Int, Outcome).self) { group in
                for (index, call) in calls.enumerated() {
                    group.addTask {
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(call.path)")
                        request.method = call.method
                        request.headers.add(name: "Authorization", value: "Bearer \(call.token)")
                        if let key = call.idempotencyKey { request.headers.add(name: "Idempotency-Key", value: key) }
                        if let body = call.body {
                            request.headers.add(name: "Content-Type", value: "application/json")
                            request.body = .bytes(ByteBuffer(string: body))
                        }
                        let response = try await client.execute(request, timeout: .seconds(60))
                        let body = try await response.body.collect(upTo: 1 << 20)
                        return (index, Outcome(status: response.status.code, seats: call.seats, body: String(buffer: body)))
                    }
                }
                var outcomes = [Outcome?](repeating: nil, count: calls.count)
                for try await (index, outcome) in group { outcomes[index] = outcome }
                return outcomes.map { $0! }
            }
            try await client.shutdown()
            return outcomes
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Fires `requests` bookings of `seats` each on event `eventId`, spread over `tokens`, all at once,
    /// each with `idempotencyKey` when one is given.
    static func stampede(
        port: Int, eventId: Int64, tokens: [String], requests: Int, idempotencyKey: String? = nil, seats: (Int) -> Int
    ) async throws -> [Outcome] {
        try await burst(port: port, (0..<requests).map { index in
            booking(eventId: eventId, token: tokens[index % tokens.count], seats: seats(index), idempotencyKey: idempotencyKey)
        })
    }

    static func booking(eventId: Int64, token: String, seats: Int, idempotencyKey: String? = nil) -> Call {
        Call(
            method: .POST, path: "/bookings", token: token, body: #"{"eventId": \#(eventId), "seatCount": \#(seats)}"#,
            idempotencyKey: idempotencyKey, seats: seats)
    }

    static func users(_ api: TestAPI, count: Int) async throws -> [String] {
        var tokens: [String] = []
        for index in 0..<count { tokens.append(try await api.register("stampede\(index)@example.com")) }
        return tokens
    }

    @Test func moreRequestsThanSeatsSellExactlyTheSeatsAndNeverMore() async throws {
        try await TestApp.run(.live) { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let tokens = try await Self.users(api, count: 20)
            let eventId = try await api.createEvent(token: organizer, seats: 150)
            let outcomes = try await Self.stampede(port: try #require(api.client.port), eventId: eventId, tokens: tokens, requests: 400) { $0 % 3 + 1 }

            let confirmed = outcomes.filter { $0.status == 201 }
            let refused = outcomes.filter { $0.status == 409 }
            #expect(confirmed.count + refused.count == outcomes.count, "only 201 and 409: \(Set(outcomes.map(\.status)))")
            let bookedSeats = confirmed.map(\.seats).reduce(0, +)
            #expect(bookedSeats <= 150)
            let event = try await api.app.database.event(id: eventId, viewerId: nil).event
            #expect(event.availableSeats == 150 - bookedSeats, "the answers and the database agree")
            // No one was turned away while their seats remained: each 409 saw fewer seats than it asked for.
            for outcome in refused {
                let available = Int(outcome.body.firstMatch(of: #/Available: (\d+)/#).map { String($0.1) } ?? "-1") ?? -1
                #expect(available >= 0 && available < outcome.seats, "\(outcome.body)")
            }
            #expect(event.availableSeats < 3, "refusals started only when the event was (nearly) full")
            #expect(try await api.app.database.checkIntegrity().isHealthy)
        }
    }

    @Test func fewerRequestsThanSeatsAreAllServed() async throws {
        try await TestApp.run(.live) { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let tokens = try await Self.users(api, count: 10)
            let eventId = try await api.createEvent(token: organizer, seats: 1_000)
            let outcomes = try await Self.stampede(port: try #require(api.client.port), eventId: eventId, tokens: tokens, requests: 300) { _ in 2 }
            #expect(outcomes.allSatisfy { $0.status == 201 }, "\(outcomes.filter { $0.status != 201 }.prefix(3).map(\.body))")
            let event = try await api.app.database.event(id: eventId, viewerId: nil).event
            #expect(event.availableSeats == 400)
            #expect(event.version == 300)
            #expect(try await api.app.database.checkIntegrity().isHealthy)
        }
    }

    @Test func oneIdempotencyKeySentManyTimesAtOnceBooksOnce() async throws {
        try await TestApp.run(.live) { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let eventId = try await api.createEvent(token: organizer, seats: 100)
            let outcomes = try await Self.stampede(
                port: try #require(api.client.port), eventId: eventId, tokens: [user], requests: 30, idempotencyKey: "double-click") { _ in 3 }

            #expect(outcomes.allSatisfy { $0.status == 201 }, "\(outcomes.filter { $0.status != 201 }.prefix(3).map(\.body))")
            let references = try Set(outcomes.map { outcome in
                try JSONDecoder().decode(JSONValue.self, from: Data(outcome.body.utf8))["data"]?["bookingReference"]?.stringValue
            })
            #expect(references.count == 1 && references.first! != nil, "every answer is the one booking: \(references)")
            #expect(try await api.app.database.event(id: eventId, viewerId: nil).event.availableSeats == 97, "three seats, taken once")
            let listed = try await api.request(.get, "/bookings", token: user).json()
            #expect(listed["meta"]?["total"]?.intValue == 1)
        }
    }

    @Test func cancellationsAndAnEventUpdateRacingBookingsKeepExactCounts() async throws {
        try await TestApp.run(.live) { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let tokens = try await Self.users(api, count: 8)
            let eventId = try await api.createEvent(token: organizer, seats: 500)
            var cancellations: [Call] = []
            for index in 0..<60 {
                let token = tokens[index % tokens.count]
                cancellations.append(Call(method: .DELETE, path: "/bookings/\(try await api.book(token: token, eventId: eventId, seats: 2))", token: token))
            }
            let bookings = (0..<200).map { Self.booking(eventId: eventId, token: tokens[$0 % tokens.count], seats: 1) }
            let update = Call(method: .PUT, path: "/events/\(eventId)", token: organizer, body: #"{"totalSeats": 520}"#)
            // Interleaved, so that every kind of write shares batches with the others.
            var calls: [Call] = []
            for index in 0..<200 {
                calls.append(bookings[index])
                if index < cancellations.count { calls.append(cancellations[index]) }
                if index == 100 { calls.append(update) }
            }
            let outcomes = try await Self.burst(port: try #require(api.client.port), calls)
            #expect(outcomes.allSatisfy { $0.status == 200 || $0.status == 201 }, "\(outcomes.filter { $0.status >= 300 }.prefix(3).map(\.body))")
            let event = try await api.app.database.event(id: eventId, viewerId: nil).event
            #expect(event.totalSeats == 520)
            #expect(event.availableSeats == 520 - 200, "every cancellation gave its 2 seats back and every booking holds 1")
            // The seat ledger, read through the API, accounts for every one of those changes.
            let ledger = try await SeatLedgerTests.ledger(api, eventId: eventId, token: organizer)
            #expect(ledger.compactMap { $0["delta"]?.intValue }.reduce(0, +) == event.availableSeats)
            #expect(ledger.last?["availableAfter"]?.intValue == event.availableSeats)
            let reasons = ledger.compactMap { $0["reason"]?.stringValue }
            #expect(reasons.filter { $0 == "BOOKED" }.count == 260 && reasons.filter { $0 == "CANCELLED" }.count == 60)
            #expect(reasons.filter { $0 == "CAPACITY_CHANGED" }.count == 1)
            #expect(try await api.app.database.checkIntegrity().isHealthy)
        }
    }

    @Test func eventCancellationRacingBookingsLeavesNoSeatBooked() async throws {
        try await TestApp.run(.live) { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let tokens = try await Self.users(api, count: 8)
            let eventId = try await api.createEvent(token: organizer, seats: 1_000)
            // Bookings made before the rush and already copied into the by-event tables (as the writer does once
            // 1,024 wait): the cancellation must find those as well as the ones only the tail scan sees.
            let earlier = try await Self.burst(
                port: try #require(api.client.port), (0..<16).map { Self.booking(eventId: eventId, token: tokens[$0 % tokens.count], seats: 1) })
            #expect(earlier.allSatisfy { $0.status == 201 })
            try await api.app.database.pool.write { db in try AppDatabase.settleByEventTables(backlog: 1, db) }
            var calls = (0..<300).map { Self.booking(eventId: eventId, token: tokens[$0 % tokens.count], seats: 2) }
            calls.insert(Call(method: .PUT, path: "/events/\(eventId)", token: organizer, body: #"{"status": "CANCELLED"}"#), at: 150)
            let outcomes = try await Self.burst(port: try #require(api.client.port), calls)

            #expect(outcomes[150].status == 200, "\(outcomes[150].body)")
            let booked = outcomes.enumerated().filter { $0.offset != 150 }.map(\.element)
            // Each booking either committed before the cancellation (201) or saw the event cancelled (400).
            #expect(booked.allSatisfy { $0.status == 201 || ($0.status == 400 && $0.body.contains("EVENT_NOT_BOOKABLE")) },
                    "\(Set(booked.map(\.status)))")
            let event = try await api.app.database.event(id: eventId, viewerId: nil).event
            #expect(event.status == .cancelled && event.availableSeats == 1_000, "the cancellation released every seat")
            var confirmed = 0
            for token in tokens {
                confirmed += try await api.request(.get, "/bookings?status=CONFIRMED", token: token).json()["meta"]?["total"]?.intValue ?? -1
            }
            #expect(confirmed == 0, "no booking outlived the event")
            #expect(try await api.app.database.checkIntegrity().isHealthy)
        }
    }
}
