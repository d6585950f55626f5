import Configuration
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import App

/// Each limit answers 429 TOO_MANY_REQUESTS with Retry-After once it is reached, and only for its own key.
@Suite struct RateLimitTests {
    static func expectTooMany(_ response: TestResponse, _ comment: Comment? = nil) {
        #expect(response.status == .tooManyRequests, comment)
        #expect(response.errorCode == "TOO_MANY_REQUESTS", comment)
        #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1, "Retry-After in seconds")
    }

    @Test func authRequestsPerClientAddressCountWhateverTheirOutcome() async throws {
        try await TestApp.run(configure: { $0.rateLimitAuthPerIP = RateLimit(count: 4, window: 60) }) { api in
            let token = try await api.register("taken@example.com")  // send-code and register: 2 of 4
            _ = token
            let taken = try await api.request(.post, "/auth/send-code", json: #"{"email": "taken@example.com", "type": "register"}"#)
            #expect(taken.errorCode == "EMAIL_IN_USE", "a refused send-code counts too (3 of 4)")
            let login = try await api.request(.post, "/auth/login", json: #"{"email": "taken@example.com", "password": "Passw0rd!"}"#)
            #expect(login.status == .ok, "4 of 4")
            Self.expectTooMany(try await api.request(.post, "/auth/login", json: #"{"email": "taken@example.com", "password": "Passw0rd!"}"#))
            Self.expectTooMany(try await api.request(.post, "/auth/send-code", json: #"{"email": "new@example.com", "type": "register"}"#))
            #expect(try await api.request(.get, "/events").status == .ok, "other routes are not limited by it")
        }
    }

    @Test func failedLoginsLockTheAccountEvenForTheRightPassword() async throws {
        try await TestApp.run(configure: {
            $0.rateLimitAuthPerIP = nil
            $0.rateLimitLoginPerAccount = RateLimit(count: 3, window: 900)
        }) { api in
            _ = try await api.register("victim@example.com")
            _ = try await api.register("other@example.com")
            for _ in 0..<3 {
                let wrong = try await api.request(.post, "/auth/login", json: #"{"email": "victim@example.com", "password": "Wrong-Pass-1"}"#)
                #expect(wrong.errorCode == "INVALID_CREDENTIALS")
            }
            Self.expectTooMany(
                try await api.request(.post, "/auth/login", json: #"{"email": "VICTIM@example.com", "password": "Passw0rd!"}"#),
                "the right password is refused too, in any case of the address")
            let other = try await api.request(.post, "/auth/login", json: #"{"email": "other@example.com", "password": "Passw0rd!"}"#)
            #expect(other.status == .ok, "another account is not locked")
        }
    }

    @Test func bookingsPerUserAreLimitedPerUser() async throws {
        try await TestApp.run(configure: { $0.rateLimitBookingsPerUser = RateLimit(count: 2, window: 60) }) { api in
            let owner = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let id = try await api.createEvent(token: owner, seats: 10)
            _ = try await api.book(token: user, eventId: id)
            _ = try await api.book(token: user, eventId: id)
            Self.expectTooMany(try await api.request(.post, "/bookings", token: user, json: #"{"eventId": \#(id), "seatCount": 1}"#))
            #expect(try await api.request(.get, "/events/\(id)").json()["availableSeats"]?.intValue == 8, "the refused one booked nothing")
            _ = try await api.book(token: owner, eventId: id)
        }
    }

    @Test func forwardedForIsBelievedOnlyFromTheTrustedProxy() throws {
        var configuration = AppConfiguration()
        configuration.trustedProxy = "10.0.0.5"
        let limits = RateLimits(configuration)
        var head = HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/")
        head.headerFields[.xForwardedFor] = "6.6.6.6, 203.0.113.7"
        let request = Request(head: head, body: .init(buffer: ByteBuffer()))
        #expect(limits.clientAddress(request, peer: "10.0.0.5") == "203.0.113.7", "the proxy's last hop, not what the client wrote")
        #expect(limits.clientAddress(request, peer: "198.51.100.1") == "198.51.100.1", "anyone else's header is ignored")
        #expect(RateLimits().clientAddress(request, peer: "10.0.0.5") == "10.0.0.5", "no trusted proxy: the peer")
    }

    @Test func limitsAreReadAsCountPerWindowOrOff() throws {
        let configuration = try AppConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: [
            "rate.limit.login.per.account": "5/15m", "rate.limit.auth.per.ip": "off", "rate.limit.bookings.per.user": "30/10s",
        ])))
        #expect(configuration.rateLimitLoginPerAccount == RateLimit(count: 5, window: 900))
        #expect(configuration.rateLimitAuthPerIP == nil)
        #expect(configuration.rateLimitBookingsPerUser == RateLimit(count: 30, window: 10))
        do {
            _ = try AppConfiguration(reader: ConfigReader(provider: InMemoryProvider(values: ["rate.limit.auth.per.ip": "lots"])))
            Issue.record("a malformed limit was accepted")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("RATE_LIMIT_AUTH_PER_IP"))
        }
        let defaults = AppConfiguration()
        #expect(defaults.rateLimitLoginPerAccount == RateLimit(count: 10, window: 900))
        #expect(defaults.rateLimitAuthPerIP == RateLimit(count: 60, window: 60))
        #expect(defaults.rateLimitBookingsPerUser == RateLimit(count: 120, window: 60))
    }
}
