import Auth
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import App

/// What an attacker would try, each case against a fresh service, each asserting the status and the
/// contract's error code it gets. None may be a 500. (Slowloris: IdleTimeoutTests; file modes: FileModeTests.)
@Suite struct AttackTests {
    /// The cast every case starts from.
    struct World: Sendable {
        var organizer: String
        var rivalOrganizer: String
        var user: String
        var stranger: String
        var event: Int64
        var draft: Int64
        /// `user`'s booking of `event`.
        var booking: String
        /// Auth requests the setup made (send-code and register for each of the four accounts).
        static let authRequests = 8

        init(_ api: TestAPI) async throws {
            organizer = try await api.register("organizer@example.com", role: "ORGANIZER")
            rivalOrganizer = try await api.register("rival@example.com", role: "ORGANIZER")
            user = try await api.register("user@example.com")
            stranger = try await api.register("stranger@example.com")
            event = try await api.createEvent(token: organizer, seats: 20)
            draft = try await api.createEvent(token: organizer, status: "DRAFT")
            booking = try await api.book(token: user, eventId: event)
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var status: HTTPResponse.Status
        var code: String
        var configure: @Sendable (inout AppConfiguration) -> Void = { _ in }
        var attack: @Sendable (TestAPI, World) async throws -> TestResponse
        var testDescription: String { name }
    }

    static let secret = TestApp.configuration(folder: URL(fileURLWithPath: "/")).jwtSecret!

    static func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func me(_ token: String) -> @Sendable (TestAPI, World) async throws -> TestResponse {
        { api, _ in try await api.request(.get, "/auth/me", headers: [.authorization: token]) }
    }

    /// POST `body` to `path`, as `user` when `asUser`.
    static func post(_ path: String, asUser: Bool = false, _ body: String) -> @Sendable (TestAPI, World) async throws -> TestResponse {
        { api, world in try await api.request(.post, path, token: asUser ? world.user : nil, json: body) }
    }

    static let cases: [Case] = [
        // Tokens
        Case(name: "token signed with another secret", status: .unauthorized, code: "UNAUTHORIZED") { api, world in
            let forged = try await TokenService(secret: String(repeating: "f", count: 40), lifetime: 600).issue(userId: 1, role: "ORGANIZER")
            return try await api.request(.get, "/auth/me", headers: [.authorization: "Bearer \(forged)"])
        },
        Case(name: "expired token", status: .unauthorized, code: "UNAUTHORIZED") { api, _ in
            let expired = try await TokenService(secret: secret, lifetime: 60).issue(userId: 1, role: "ORGANIZER", now: Date().addingTimeInterval(-600))
            return try await api.request(.get, "/auth/me", headers: [.authorization: "Bearer \(expired)"])
        },
        Case(name: "alg none token", status: .unauthorized, code: "UNAUTHORIZED") { api, _ in
            let payload = #"{"sub":"1","role":"ORGANIZER","iat":1800000000,"exp":4102444800}"#
            let token = "\(base64URL(#"{"alg":"none","typ":"JWT"}"#)).\(base64URL(payload))."
            return try await api.request(.get, "/auth/me", headers: [.authorization: "Bearer \(token)"])
        },
        Case(name: "HS256 token with the signature cut off", status: .unauthorized, code: "UNAUTHORIZED") { api, world in
            let parts = world.user.split(separator: ".")
            return try await api.request(.get, "/auth/me", headers: [.authorization: "Bearer \(parts[0]).\(parts[1])."])
        },
        Case(name: "token for a user that does not exist", status: .unauthorized, code: "UNAUTHORIZED") { api, _ in
            let ghost = try await TokenService(secret: secret, lifetime: 600).issue(userId: 9_999, role: "ORGANIZER")
            return try await api.request(.get, "/auth/me", headers: [.authorization: "Bearer \(ghost)"])
        },
        Case(name: "garbage bearer token", status: .unauthorized, code: "UNAUTHORIZED", attack: me("Bearer not.a.token")),
        Case(name: "empty bearer token", status: .unauthorized, code: "UNAUTHORIZED", attack: me("Bearer ")),
        Case(name: "a valid token under another scheme", status: .unauthorized, code: "UNAUTHORIZED") { api, world in
            try await api.request(.get, "/auth/me", headers: [.authorization: "Basic \(world.user)"])
        },
        // Another's things (IDOR)
        Case(name: "reading another user's booking", status: .forbidden, code: "FORBIDDEN") { api, world in
            try await api.request(.get, "/bookings/\(world.booking)", token: world.stranger)
        },
        Case(name: "cancelling another user's booking", status: .forbidden, code: "FORBIDDEN") { api, world in
            try await api.request(.delete, "/bookings/\(world.booking)", token: world.stranger)
        },
        Case(name: "the event's organizer cancelling a user's booking", status: .forbidden, code: "FORBIDDEN") { api, world in
            try await api.request(.delete, "/bookings/\(world.booking)", token: world.organizer)
        },
        Case(name: "another organizer updating an event", status: .forbidden, code: "FORBIDDEN") { api, world in
            try await api.request(.put, "/events/\(world.event)", token: world.rivalOrganizer, json: #"{"totalSeats": 1000}"#)
        },
        Case(name: "another organizer deleting an event", status: .forbidden, code: "FORBIDDEN") { api, world in
            try await api.request(.delete, "/events/\(world.event)", token: world.rivalOrganizer)
        },
        Case(name: "a user reading another's draft", status: .notFound, code: "EVENT_NOT_FOUND") { api, world in
            try await api.request(.get, "/events/\(world.draft)", token: world.user)
        },
        Case(name: "another organizer updating a draft they cannot see", status: .notFound, code: "EVENT_NOT_FOUND") { api, world in
            try await api.request(.put, "/events/\(world.draft)", token: world.rivalOrganizer, json: #"{"title": "Mine now"}"#)
        },
        Case(name: "booking another organizer's draft", status: .notFound, code: "EVENT_NOT_FOUND") { api, world in
            try await api.request(.post, "/bookings", token: world.user, json: #"{"eventId": \#(world.draft), "seatCount": 1}"#)
        },
        // Roles and mass assignment
        Case(name: "a USER creating an event", status: .forbidden, code: "FORBIDDEN") { api, world in
            try await api.request(.post, "/events", token: world.user, json: #"{"title": "Mine", "totalSeats": 5}"#)
        },
        Case(name: "a USER updating an event", status: .forbidden, code: "FORBIDDEN") { api, world in
            try await api.request(.put, "/events/\(world.event)", token: world.user, json: #"{"status": "CANCELLED"}"#)
        },
        Case(name: "registering with a role that does not exist", status: .badRequest, code: "VALIDATION_FAILED") { api, _ in
            try await api.request(.post, "/auth/register", json: """
                {"firstname": "A", "lastname": "B", "email": "admin@example.com", "password": "Passw0rd!", "country": "DE",
                 "emailVerificationCode": "123456", "role": "ADMIN"}
                """)
        },
        Case(name: "an update made only of fields the API does not take", status: .badRequest, code: "VALIDATION_FAILED") { api, world in
            try await api.request(
                .put, "/events/\(world.event)", token: world.organizer, json: #"{"availableSeats": 1000, "version": 0, "organizerId": 2}"#)
        },
        Case(name: "a booking that names another user and a status", status: .created, code: "") { api, world in
            let response = try await api.request(
                .post, "/bookings", token: world.stranger,
                json: #"{"eventId": \#(world.event), "seatCount": 1, "userId": 3, "status": "CANCELLED", "id": 1}"#)
            let data = try response.json()["data"]
            let me = try await api.request(.get, "/auth/me", token: world.stranger).json()
            #expect(data?["userId"] == me["id"] && data?["status"]?.stringValue == "CONFIRMED", "the extra fields were ignored")
            return response
        },
        // Bodies
        Case(name: "a body over 64 KiB", status: .contentTooLarge, code: "PAYLOAD_TOO_LARGE") { api, world in
            let padding = String(repeating: "x", count: 70_000)
            return try await api.request(.post, "/events", token: world.organizer, json: #"{"title": "T", "totalSeats": 1, "pad": "\#(padding)"}"#)
        },
        Case(name: "JSON nested 5,000 deep", status: .badRequest, code: "INVALID_JSON") { api, world in
            let nested = String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000)
            return try await api.request(.post, "/bookings", token: world.user, json: #"{"eventId": \#(nested), "seatCount": 1}"#)
        },
        Case(name: "a NUL character in a title", status: .badRequest, code: "VALIDATION_FAILED") { api, world in
            try await api.request(.post, "/events", token: world.organizer, json: #"{"title": "a\u0000b", "totalSeats": 1}"#)
        },
        Case(name: "a seat count of 1e300", status: .badRequest, code: "VALIDATION_FAILED") { api, world in
            try await api.request(.post, "/bookings", token: world.user, json: #"{"eventId": \#(world.event), "seatCount": 1e300}"#)
        },
        Case(name: "an event id beyond 64 bits", status: .badRequest, code: "VALIDATION_FAILED") { api, world in
            try await api.request(.post, "/bookings", token: world.user, json: #"{"eventId": 99999999999999999999999, "seatCount": 1}"#)
        },
        Case(name: "a negative seat count", status: .badRequest, code: "VALIDATION_FAILED") { api, world in
            try await api.request(.post, "/bookings", token: world.user, json: #"{"eventId": \#(world.event), "seatCount": -5}"#)
        },
        Case(name: "a total of seats over the maximum", status: .badRequest, code: "VALIDATION_FAILED") { api, world in
            try await api.request(.post, "/events", token: world.organizer, json: #"{"title": "T", "totalSeats": 1000001}"#)
        },
        Case(name: "a JSON array instead of an object", status: .badRequest, code: "VALIDATION_FAILED", attack: post("/bookings", asUser: true, "[1, 2]")),
        Case(name: "JSON null instead of an object", status: .badRequest, code: "VALIDATION_FAILED", attack: post("/bookings", asUser: true, "null")),
        Case(name: "a JSON string instead of an object", status: .badRequest, code: "VALIDATION_FAILED", attack: post("/bookings", asUser: true, #""x""#)),
        Case(name: "malformed JSON", status: .badRequest, code: "INVALID_JSON", attack: post("/bookings", asUser: true, #"{"eventId": "#)),
        Case(name: "a number no Double holds", status: .badRequest, code: "INVALID_JSON", attack: post("/bookings", asUser: true, #"{"eventId": 1e400, "seatCount": 1}"#)),
        Case(name: "an empty body", status: .badRequest, code: "INVALID_JSON", attack: post("/auth/login", "")),
        Case(name: "a body that is not JSON", status: .unsupportedMediaType, code: "UNSUPPORTED_MEDIA_TYPE") { api, _ in
            try await api.request(.post, "/auth/login", json: "email=a&password=b", headers: [.contentType: "application/x-www-form-urlencoded"])
        },
        // SQL metacharacters
        Case(name: "SQL in a login email", status: .unauthorized, code: "INVALID_CREDENTIALS") { api, _ in
            try await api.request(.post, "/auth/login", json: #"{"email": "' OR '1'='1' --", "password": "' OR '1'='1"}"#)
        },
        Case(name: "SQL in a status filter", status: .badRequest, code: "VALIDATION_FAILED") { api, _ in
            try await api.request(.get, "/events?status=PUBLISHED'%20OR%20'1'='1")
        },
        Case(name: "SQL in a booking reference", status: .notFound, code: "BOOKING_NOT_FOUND") { api, world in
            try await api.request(.get, "/bookings/'%20OR%201=1%20--", token: world.user)
        },
        Case(name: "SQL in an event id", status: .badRequest, code: "VALIDATION_FAILED") { api, _ in
            try await api.request(.get, "/events/1;DROP%20TABLE%20events")
        },
        Case(name: "SQL in a title is stored as text", status: .created, code: "") { api, world in
            let title = "Robert'); DROP TABLE events;--"
            let response = try await api.request(.post, "/events", token: world.organizer, json: #"{"title": "\#(title)", "totalSeats": 1}"#)
            #expect(try response.json()["title"]?.stringValue == title)
            #expect(try await api.request(.get, "/events").status == .ok, "and the table is still there")
            return response
        },
        // Headers
        Case(name: "an Idempotency-Key of 301 Unicode scalars", status: .badRequest, code: "VALIDATION_FAILED") { api, world in
            try await api.request(
                .post, "/bookings", token: world.user, json: #"{"eventId": \#(world.event), "seatCount": 1}"#,
                headers: [.idempotencyKey: "e" + String(repeating: "\u{301}", count: 300)])
        },
        Case(name: "an empty Idempotency-Key", status: .badRequest, code: "VALIDATION_FAILED") { api, world in
            try await api.request(
                .post, "/bookings", token: world.user, json: #"{"eventId": \#(world.event), "seatCount": 1}"#, headers: [.idempotencyKey: ""])
        },
        // Paging
        Case(name: "a page beyond 32 bits", status: .badRequest, code: "VALIDATION_FAILED") { api, _ in
            try await api.request(.get, "/events?page=99999999999")
        },
        Case(name: "a limit of 1,000", status: .badRequest, code: "VALIDATION_FAILED") { api, _ in
            try await api.request(.get, "/events?limit=1000")
        },
        // Rate limits
        Case(
            name: "auth requests past the limit of one address", status: .tooManyRequests, code: "TOO_MANY_REQUESTS",
            configure: { $0.rateLimitAuthPerIP = RateLimit(count: World.authRequests, window: 60) }
        ) { api, _ in
            try await api.request(.post, "/auth/send-code", json: #"{"email": "late@example.com", "type": "register"}"#)
        },
        Case(
            name: "the right password after the failed-login limit", status: .tooManyRequests, code: "TOO_MANY_REQUESTS",
            configure: { $0.rateLimitLoginPerAccount = RateLimit(count: 2, window: 900) }
        ) { api, _ in
            for _ in 0..<2 { try await api.request(.post, "/auth/login", json: #"{"email": "user@example.com", "password": "Guess-123!"}"#) }
            return try await api.request(.post, "/auth/login", json: #"{"email": "user@example.com", "password": "Passw0rd!"}"#)
        },
        Case(
            name: "bookings past the limit of one user", status: .tooManyRequests, code: "TOO_MANY_REQUESTS",
            configure: { $0.rateLimitBookingsPerUser = RateLimit(count: 1, window: 60) }  // the setup's booking took it
        ) { api, world in
            try await api.request(.post, "/bookings", token: world.user, json: #"{"eventId": \#(world.event), "seatCount": 1}"#)
        },
    ]

    @Test(arguments: cases)
    func attackIsRefusedWithTheContractsStatusAndCode(_ attack: Case) async throws {
        try await TestApp.run(configure: attack.configure) { api in
            let world = try await World(api)
            let response = try await attack.attack(api, world)
            #expect(response.status == attack.status, "\(attack.name): \(String(buffer: response.body).prefix(300))")
            if !attack.code.isEmpty { #expect(response.errorCode == attack.code, "\(attack.name)") }
            #expect(response.status.code < 500, "never a 5xx")
        }
    }

    @Test func thereAreAtLeastFortyCases() {
        #expect(Self.cases.count >= 40)
        #expect(Set(Self.cases.map(\.name)).count == Self.cases.count, "each case has its own name")
    }
}
