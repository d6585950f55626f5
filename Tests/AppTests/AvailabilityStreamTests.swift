import AsyncHTTPClient
import Foundation
import HummingbirdTesting
import NIOCore
import Testing
@testable import App

/// `GET /events/:id/availability`: the live seat count as Server-Sent Events, through real sockets.
@Suite struct AvailabilityStreamTests {
    /// An open event stream: each `next()` is the JSON of the next `data:` message (keep-alive comments skipped).
    final class EventStream: @unchecked Sendable {
        let status: UInt
        let contentType: String?
        private var iterator: HTTPClientResponse.Body.AsyncIterator
        private var pending = ""

        init(_ response: HTTPClientResponse) {
            status = response.status.code
            contentType = response.headers.first(name: "Content-Type")
            iterator = response.body.makeAsyncIterator()
        }

        func next() async throws -> JSONValue? {
            while true {
                if let end = pending.range(of: "\n\n") {
                    let message = pending[..<end.lowerBound]
                    pending = String(pending[end.upperBound...])
                    guard let data = message.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }) else { continue }
                    return try JSONDecoder().decode(JSONValue.self, from: Data(data.dropFirst(6).utf8))
                }
                guard let chunk = try await iterator.next() else { return nil }
                pending += String(buffer: chunk)
            }
        }
    }

    static func open(_ client: HTTPClient, port: Int, eventId: Int64) async throws -> EventStream {
        let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/events/\(eventId)/availability")
        return EventStream(try await client.execute(request, timeout: .seconds(30)))
    }

    @Test func theCountArrivesAtOnceAndMovesWithEveryBookingAndCancellation() async throws {
        try await TestApp.run(.live) { api in
            let port = try #require(api.client.port)
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let eventId = try await api.createEvent(token: organizer, seats: 10)
            let stream = try await Self.open(HTTPClient.shared, port: port, eventId: eventId)
            #expect(stream.status == 200 && stream.contentType == "text/event-stream")
            let first = try #require(try await stream.next())
            #expect(first == .object(["eventId": .integer(eventId), "availableSeats": 10, "status": "PUBLISHED"]))

            let reference = try await api.book(token: user, eventId: eventId, seats: 3)
            #expect(try await stream.next()?["availableSeats"]?.intValue == 7)
            _ = try await api.hold(token: user, eventId: eventId, seats: 2)
            #expect(try await stream.next()?["availableSeats"]?.intValue == 5, "a hold takes seats too")
            #expect(try await api.request(.delete, "/bookings/\(reference)", token: user).status == .ok)
            #expect(try await stream.next()?["availableSeats"]?.intValue == 8)
            #expect(try await api.request(.put, "/events/\(eventId)", token: organizer, json: #"{"status": "CANCELLED"}"#).status == .ok)
            let cancelled = try await stream.next()
            #expect(cancelled?["status"]?.stringValue == "CANCELLED" && cancelled?["availableSeats"]?.intValue == 10)
        }
    }

    @Test func streamsAreBoundedAndAHiddenEventHasNone() async throws {
        try await TestApp.run(.live, configure: { $0.sseMaxClients = 1 }) { api in
            let port = try #require(api.client.port)
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let eventId = try await api.createEvent(token: organizer, seats: 10)
            let draft = try await api.createEvent(token: organizer, status: "DRAFT")
            let user = try await api.register("u@example.com")

            #expect(try await api.request(.get, "/events/\(draft)/availability").errorCode == "EVENT_NOT_FOUND")
            let watcher = HTTPClient(eventLoopGroupProvider: .singleton)
            let stream = try await Self.open(watcher, port: port, eventId: eventId)
            #expect(try await stream.next()?["availableSeats"]?.intValue == 10)
            let refused = try await api.request(.get, "/events/\(eventId)/availability")
            #expect(refused.status == .serviceUnavailable && refused.errorCode == "TOO_MANY_STREAMS")
            #expect(refused.headers[.retryAfter] != nil)

            // The watcher goes away. The server finds out at its next write to the stream (a change, or the
            // keep-alive), and the place comes back.
            try await watcher.shutdown()
            let next = HTTPClient(eventLoopGroupProvider: .singleton)
            #expect(try await api.eventually {
                _ = try await api.book(token: user, eventId: eventId)
                return try await Self.open(next, port: port, eventId: eventId).status == 200
            })
            try await next.shutdown()
        }
    }

    @Test func aSlowWatcherNeverHoldsUpBookingsAndGetsTheLatestCount() async throws {
        try await TestApp.run(.live) { api in
            let port = try #require(api.client.port)
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let eventId = try await api.createEvent(token: organizer, seats: 1_000)
            let stream = try await Self.open(HTTPClient.shared, port: port, eventId: eventId)
            #expect(try await stream.next()?["availableSeats"]?.intValue == 1_000)

            // The watcher reads nothing while 100 bookings go through.
            let outcomes = try await StampedeTests.stampede(port: port, eventId: eventId, tokens: [user], requests: 100) { _ in 1 }
            #expect(outcomes.allSatisfy { $0.status == 201 })
            let latest = try await withDeadline(.seconds(20)) {
                var counts: [Int] = []
                while let count = try await stream.next()?["availableSeats"]?.intValue {
                    counts.append(count)
                    if count == 900 { break }
                }
                return counts
            }
            #expect(latest.last == 900, "the latest count arrives")
            #expect(latest == latest.sorted(by: >), "counts only go down: \(latest)")
        }
    }
}

/// `body`'s result, or a failure once `timeout` has passed.
func withDeadline<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TestFailure("no answer within \(timeout)")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
