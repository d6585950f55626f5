import Foundation
import GRDB
import HTTPTypes
@testable import Storage
import Synchronization
import Testing
@testable import App

/// `GET /metrics` through a live server: who may read it, and what it counts.
@Suite struct MetricsTests {
    /// Every sample of a Prometheus text exposition: `name{labels}` to its value.
    static func samples(_ text: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    @Test func itCountsTheBookingsATestMadeByOutcomeAndTheWritersBatches() async throws {
        try await TestApp.run(.live) { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let eventId = try await api.createEvent(token: organizer, seats: 3)
            var key = HTTPFields()
            key[HTTPField.Name("Idempotency-Key")!] = "once"
            let body = #"{"eventId": \#(eventId), "seatCount": 1}"#
            #expect(try await api.request(.post, "/bookings", token: user, json: body, headers: key).status == .created)
            #expect(try await api.request(.post, "/bookings", token: user, json: body, headers: key).status == .created, "a replay")
            let second = try await api.book(token: user, eventId: eventId, seats: 2)
            #expect(try await api.request(.post, "/bookings", token: user, json: body).status == .conflict, "sold out")
            #expect(try await api.request(.delete, "/bookings/\(second)", token: user).status == .ok)
            let draft = try await api.createEvent(token: organizer, status: "DRAFT")
            #expect(try await api.request(.post, "/bookings", token: organizer, json: #"{"eventId": \#(draft), "seatCount": 1}"#).status == .badRequest)
            #expect(try await api.request(.get, "/events/\(eventId)").status == .ok)

            let scrape = try await api.request(.get, "/metrics")
            #expect(scrape.status == .ok)
            #expect(scrape.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = String(buffer: scrape.body)
            let samples = Self.samples(text)
            #expect(samples[#"eventbooking_bookings_total{outcome="confirmed"}"#] == 2)
            #expect(samples[#"eventbooking_bookings_total{outcome="replayed"}"#] == 1)
            #expect(samples[#"eventbooking_bookings_total{outcome="sold_out"}"#] == 1)
            #expect(samples[#"eventbooking_bookings_total{outcome="not_bookable"}"#] == 1)
            #expect(samples[#"eventbooking_bookings_total{outcome="error"}"#] == 0)
            #expect(samples["eventbooking_cancellations_total"] == 1)
            #expect(samples[#"eventbooking_http_requests_total{method="GET",route="/events/{id}",status="200"}"#] == 1, "the route, not the path")
            #expect(!text.contains("/events/\(eventId)\""), "no raw path in any label")
            #expect(samples[#"eventbooking_http_requests_total{method="POST",route="/bookings",status="201"}"#] == 3)
            #expect((samples[#"eventbooking_http_request_duration_seconds_count{method="POST",route="/bookings",status="201"}"#] ?? 0) == 3)
            // Two bookings, a cancellation and the event's creation went through the writer or a write; the
            // writer ran at least the three seat changes, in batches.
            #expect((samples["eventbooking_writer_batch_size_sum"] ?? 0) >= 3)
            #expect((samples["eventbooking_writer_commit_duration_seconds_count"] ?? 0) >= 1)
            #expect(samples["eventbooking_writer_batches_run_again_total"] == 0, "no command refused after it wrote")
            #expect(samples["eventbooking_outbox_pending"] != nil && samples["eventbooking_outbox_failed"] == 0)
            #expect(samples["eventbooking_outbox_oldest_pending_seconds"] != nil)
        }
    }

    /// A booking whose version guard loses every try, each time after a rival write inside its own command, is
    /// refused after it wrote: through the live server it gets its 503, the writer runs its batch again with a
    /// savepoint per command (counted), and the bookings around it keep their seats while it keeps none.
    @Test func aBookingRefusedAfterItWroteIsTakenBackAloneAndItsBatchRunAgainIsCounted() async throws {
        let contested = Mutex<Int64?>(nil)
        try await TestApp.run(.live, prepareDatabase: { database in
            database.beforeGuardedWrite = { db in
                guard let id = contested.withLock({ $0 }) else { return }
                try db.execute(sql: "UPDATE events SET version = version + 1 WHERE id = ?", arguments: [id])
            }
        }) { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let open = try await api.createEvent(token: organizer, seats: 10)
            let contestedId = try await api.createEvent(token: organizer, seats: 10)
            contested.withLock { $0 = contestedId }
            let statuses = try await withThrowingTaskGroup(of: (Int64, Int, String?).self) { group in
                for eventId in [open, open, contestedId, open] {
                    group.addTask {
                        let response = try await api.request(.post, "/bookings", token: user, json: #"{"eventId": \#(eventId), "seatCount": 1}"#)
                        return (eventId, response.status.code, response.errorCode)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0.0 == open }.map(\.1) == [201, 201, 201])
            #expect(statuses.filter { $0.0 == contestedId }.map { "\($0.1) \($0.2 ?? "")" } == ["503 STORAGE_UNAVAILABLE"])
            #expect(try await api.availableSeats(open) == 7)
            #expect(try await api.availableSeats(contestedId) == 10, "the refused booking kept no seat")
            let samples = Self.samples(String(buffer: try await api.request(.get, "/metrics").body))
            #expect((samples["eventbooking_writer_batches_run_again_total"] ?? 0) >= 1)
            #expect(try await api.app.database.checkIntegrity().isHealthy)
        }
    }

    @Test func aRateLimitedRequestIsCountedByItsLimit() async throws {
        try await TestApp.run(.live, configure: { $0.rateLimitBookingsPerUser = RateLimit(count: 1, window: 60) }) { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let eventId = try await api.createEvent(token: organizer, seats: 10)
            _ = try await api.book(token: user, eventId: eventId)
            #expect(try await api.request(.post, "/bookings", token: user, json: #"{"eventId": \#(eventId), "seatCount": 1}"#).status == .tooManyRequests)
            let samples = Self.samples(String(buffer: try await api.request(.get, "/metrics").body))
            #expect(samples[#"eventbooking_rate_limited_total{limit="bookings_per_user"}"#] == 1)
            #expect(samples[#"eventbooking_bookings_total{outcome="limited"}"#] == 1)
        }
    }

    @Test func withATokenOnlyItsBearerReadsTheMetrics() async throws {
        try await TestApp.run(.live, configure: { $0.metricsToken = "scrape-me-please" }) { api in
            let anonymous = try await api.request(.get, "/metrics")
            #expect(anonymous.status == .unauthorized, "loopback is not enough once a token is set")
            var headers = HTTPFields()
            headers[.authorization] = "Bearer wrong"
            let wrong = try await api.request(.get, "/metrics", headers: headers)
            #expect(wrong.status == .unauthorized)
            headers[.authorization] = "Bearer scrape-me-please"
            let right = try await api.request(.get, "/metrics", headers: headers)
            #expect(right.status == .ok)
        }
    }

    @Test func withoutATokenAClientBeyondLoopbackGetsA404() async throws {
        // The test client is on loopback; behind a trusted proxy on loopback, the client is the one it names.
        try await TestApp.run(.live, configure: { $0.trustedProxy = "127.0.0.1" }) { api in
            #expect(try await api.request(.get, "/metrics").status == .ok, "loopback itself")
            var forwarded = HTTPFields()
            forwarded[HTTPField.Name("X-Forwarded-For")!] = "203.0.113.9"
            let remote = try await api.request(.get, "/metrics", headers: forwarded)
            #expect(remote.status == .notFound && remote.errorCode == "NOT_FOUND")
        }
    }

    @Test func metricsCanBeTurnedOff() async throws {
        try await TestApp.run(.live, configure: { $0.metricsEnabled = false }) { api in
            let response = try await api.request(.get, "/metrics")
            #expect(response.status == .notFound)
        }
    }
}
