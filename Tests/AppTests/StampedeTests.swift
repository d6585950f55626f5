import AsyncHTTPClient
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import App

/// Hundreds of simultaneous bookings through a live server and a client with many connections.
@Suite struct StampedeTests {
    struct Outcome: Sendable {
        var status: UInt
        var seats: Int
        var body: String
    }

    /// Fires `requests` bookings of `seats` each on event `eventId`, spread over `tokens`, all at once,
    /// each with `idempotencyKey` when one is given.
    static func stampede(
        port: Int, eventId: Int64, tokens: [String], requests: Int, idempotencyKey: String? = nil, seats: (Int) -> Int
    ) async throws -> [Outcome] {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let outcomes = try await withThrowingTaskGroup(of: Outcome.self) { group in
                for index in 0..<requests {
                    let seatCount = seats(index)
                    let token = tokens[index % tokens.count]
                    group.addTask {
                        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/bookings")
                        request.method = .POST
                        request.headers.add(name: "Authorization", value: "Bearer \(token)")
                        request.headers.add(name: "Content-Type", value: "application/json")
                        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
                        request.body = .bytes(ByteBuffer(string: #"{"eventId": \#(eventId), "seatCount": \#(seatCount)}"#))
                        let response = try await client.execute(request, timeout: .seconds(60))
                        let body = try await response.body.collect(upTo: 1 << 20)
                        return Outcome(status: response.status.code, seats: seatCount, body: String(buffer: body))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            try await client.shutdown()
            return outcomes
        } catch {
            try? await client.shutdown()
            throw error
        }
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
}
