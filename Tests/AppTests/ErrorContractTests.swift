import Auth
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing
@testable import App

@Suite struct ErrorContractTests {
    /// Every error has the contract's shape: statusCode, error, message, code.
    static func expectContractShape(_ response: TestResponse, _ status: HTTPResponse.Status, _ code: String) throws {
        #expect(response.status == status)
        let body = try response.json()
        #expect(body["statusCode"]?.intValue == status.code)
        #expect(body["error"]?.stringValue == status.reasonPhrase)
        #expect(body["code"]?.stringValue == code)
        #expect(body["message"]?.stringValue?.isEmpty == false)
    }

    @Test func unknownRouteIs404InTheContractShape() async throws {
        try await TestApp.run { api in
            try Self.expectContractShape(try await api.request(.get, "/no/such/route"), .notFound, "NOT_FOUND")
        }
    }

    @Test func malformedJSONIs400() async throws {
        try await TestApp.run { api in
            let token = try await api.register("o@example.com", role: "ORGANIZER")
            try Self.expectContractShape(try await api.request(.post, "/events", token: token, json: #"{"title": "#), .badRequest, "INVALID_JSON")
            try Self.expectContractShape(try await api.request(.post, "/events", token: token, json: "[1, 2]"), .badRequest, "VALIDATION_FAILED")
        }
    }

    @Test func wrongContentTypeIs415() async throws {
        try await TestApp.run { api in
            let response = try await api.request(
                .post, "/auth/login", json: #"{"email": "a@example.com", "password": "x"}"#, headers: [.contentType: "text/plain"])
            try Self.expectContractShape(response, .unsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE")
        }
    }

    @Test func oversizedBodyIs413() async throws {
        try await TestApp.run { api in
            let huge = #"{"email": "\#(String(repeating: "a", count: 100_000))@example.com", "password": "x"}"#
            try Self.expectContractShape(try await api.request(.post, "/auth/login", json: huge), .contentTooLarge, "PAYLOAD_TOO_LARGE")
        }
    }

    @Test func wrongTypesAreValidationErrorsNotCoercions() async throws {
        try await TestApp.run { api in
            let token = try await api.register("u@example.com")
            let response = try await api.request(.post, "/bookings", token: token, json: #"{"eventId": 1, "seatCount": "3"}"#)
            try Self.expectContractShape(response, .badRequest, "VALIDATION_FAILED")
            #expect(try response.json()["details"]?[0]?["field"]?.stringValue == "seatCount")
        }
    }

    @Test func saturatedPasswordHashingIsA503BusyWithRetryAfter() async throws {
        try await TestApp.run { api in
            let error = AppError(any: AuthError.busy, request: Request(head: .init(method: .post, scheme: "http", authority: "x", path: "/auth/login"), body: .init(buffer: ByteBuffer())))
            #expect(error.status == .serviceUnavailable && error.code == "BUSY")
            #expect(error.headers[.retryAfter] == "1")
            let documented = try await api.request(.get, "/api-spec-json").json()
            #expect(documented["paths"]?["/auth/login"]?["post"]?["responses"]?["503"] != nil, "the contract names it")
        }
    }

    @Test func healthAnswersOkWhileTheDatabaseAnswers() async throws {
        try await TestApp.run { api in
            let response = try await api.request(.get, "/health")
            #expect(response.status == .ok)
            #expect(try response.json()["status"]?.stringValue == "ok")
        }
    }

    @Test func healthIs503OnceTheDatabaseNoLongerAnswers() async throws {
        // The health route alone: the whole app's outbox service would keep writing to the closed database.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("health-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try AppDatabase(path: folder.appendingPathComponent("db.sqlite").path)
        let router = Router(context: AppRequestContext.self)
        HealthController(database: database).addRoutes(to: router)
        try await Application(router: router).test(.router) { client in
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
            try database.close()
            for path in ["/health", "/health/ready"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .serviceUnavailable)
                #expect(try response.json()["status"]?.stringValue == "unavailable")
            }
            #expect(try await client.execute(uri: "/health/live", method: .get).status == .ok, "liveness touches no database")
        }
    }
}

@Suite struct TextLengthTests {
    @Test func lengthsCountUnicodeScalarsLikeSQLiteSoALongTitleIsA400NotA500() async throws {
        try await TestApp.run { api in
            let token = try await api.register("o@example.com", role: "ORGANIZER")
            // 150 characters of 2 scalars each: 150 graphemes, 300 scalars, over the 200 limit.
            let title = String(repeating: "e\u{301}", count: 150)
            let response = try await api.request(.post, "/events", token: token, json: #"{"title": "\#(title)", "totalSeats": 1}"#)
            #expect(response.status == .badRequest)
            #expect(try response.json()["details"]?[0]?["field"]?.stringValue == "title")
        }
    }

    @Test func aNulCharacterIsA400NotA500() async throws {
        // Found by schemathesis: SQLite's length() stops at NUL, so "\u0000x" failed the title CHECK.
        try await TestApp.run { api in
            let token = try await api.register("o@example.com", role: "ORGANIZER")
            let id = try await api.createEvent(token: token)
            let response = try await api.request(.put, "/events/\(id)", token: token, json: #"{"title": "\u0000\u00ee"}"#)
            #expect(response.status == .badRequest)
            #expect(try response.json()["details"]?[0]?["message"]?.stringValue == "title must not contain NUL characters")
        }
    }
}
