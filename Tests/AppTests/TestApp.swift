import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import CoreMetrics
import Logging
@testable import Storage
import Testing
@testable import App

/// The real application on a fresh temporary data folder: real SQLite, real routes, codes mailed to files.
struct TestApp {
    let folder: URL
    var configuration: AppConfiguration
    let database: AppDatabase
    /// What the app counts, the database's writer included (nil with METRICS_ENABLED=false).
    let metrics: ServiceMetrics?

    /// Settings for a test: everything in `folder`, any free port, codes mailed to files, cheap password hashes.
    static func configuration(folder: URL) -> AppConfiguration {
        var configuration = AppConfiguration()
        configuration.environment = .test
        configuration.port = 0
        configuration.databasePath = folder.appendingPathComponent("event-booking.sqlite").path
        configuration.jwtSecret = "test-secret-test-secret-test-secret-42"
        configuration.mailTransport = .file
        configuration.mailOutboxDirectory = folder.appendingPathComponent("outbox").path
        configuration.passwordHashCost = 8
        configuration.logLevel = .warning
        return configuration
    }

    /// Builds the app, runs `body` against it and always removes the folder.
    /// With `folder`, the data lives there and stays (a later run can reopen it); otherwise in a new
    /// folder removed afterwards. `prepareDatabase` sets Storage's test hooks before the app takes the database.
    static func run<T>(
        _ setup: TestingSetup = .router, folder given: URL? = nil, logger: Logger? = nil,
        configure: (inout AppConfiguration) -> Void = { _ in }, prepareDatabase: (inout AppDatabase) -> Void = { _ in },
        _ body: @escaping @Sendable (TestAPI) async throws -> T
    ) async throws -> T {
        let folder = given ?? FileManager.default.temporaryDirectory.appendingPathComponent("app-tests-\(UUID().uuidString)")
        defer { if given == nil { try? FileManager.default.removeItem(at: folder) } }
        var configuration = Self.configuration(folder: folder)
        configure(&configuration)
        let metrics = configuration.metricsEnabled ? ServiceMetrics() : nil
        var database = try AppDatabase(
            path: configuration.databasePath, metrics: metrics?.factory ?? NOOPMetricsHandler.instance, logger: logger ?? Logger(label: "storage"))
        prepareDatabase(&database)
        defer { try? database.close() }
        let app = try await buildApplication(configuration, database: database, metrics: metrics, logger: logger)
        let testApp = TestApp(folder: folder, configuration: configuration, database: database, metrics: metrics)
        return try await app.test(setup) { client in try await body(TestAPI(client: client, app: testApp)) }
    }
}

/// Requests against the test app, and the steps most tests need (register, log in, create an event).
struct TestAPI: Sendable {
    let client: any TestClientProtocol
    let app: TestApp

    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await client.executeRequest(uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// The mails delivered to `email` so far (the `file` transport's .eml files), oldest first.
    func mails(to email: String) throws -> [String] {
        let outbox = URL(fileURLWithPath: app.configuration.mailOutboxDirectory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: outbox.path)) ?? []
        return try names.filter { $0.hasSuffix(".eml") }.sorted().map {
            try String(contentsOf: outbox.appendingPathComponent($0), encoding: .utf8)
        }.filter { $0.contains("To: \(email.lowercased())\r\n") }
    }

    /// Waits (up to 10 s) until `count` mails to `email` were delivered by the outbox service, and returns them.
    func awaitMails(to email: String, count: Int = 1) async throws -> [String] {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let mails = try mails(to: email)
            if mails.count >= count { return mails }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("fewer than \(count) mails delivered to \(email): \(try mails(to: email).count)")
    }

    /// The code in the newest mail to `email`, once the outbox has delivered it.
    func mailedCode(to email: String) async throws -> String {
        let mails = try await awaitMails(to: email)
        guard let match = mails.last?.firstMatch(of: #/code is (\d{6})/#) else { throw TestFailure("no code in the mail to \(email)") }
        return String(match.1)
    }

    /// Registers through send-code and register, and returns the access token.
    func register(
        _ email: String, role: String = "USER", password: String = "Passw0rd!", firstname: String = "Test", lastname: String = "Person"
    ) async throws -> String {
        let sent = try await request(.post, "/auth/send-code", json: #"{"email": "\#(email)", "type": "register"}"#)
        guard sent.status == .ok else { throw TestFailure("send-code: \(sent.status) \(String(buffer: sent.body))") }
        let code = try await mailedCode(to: email)
        let response = try await request(.post, "/auth/register", json: """
            {"firstname": \(Self.jsonString(firstname)), "lastname": \(Self.jsonString(lastname)), "email": "\(email)", "password": "\(password)",
             "country": "Germany",
             "emailVerificationCode": "\(code)", "role": "\(role)"}
            """)
        guard response.status == .created, let token = try response.json()["accessToken"]?.stringValue else {
            throw TestFailure("register: \(response.status) \(String(buffer: response.body))")
        }
        return token
    }

    /// `text` as a JSON string literal, quotes and all.
    static func jsonString(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
    }

    /// Creates an event as the organizer behind `token` and returns its id.
    /// `more` adds fields to the body, e.g. `"holdDurationSeconds": 5`.
    func createEvent(
        token: String, title: String = "Concert", seats: Int = 10, status: String = "PUBLISHED",
        date: String? = "2099-06-01T19:00:00Z", more: String? = nil
    ) async throws -> Int64 {
        let dateField = date.map { #", "eventDate": "\#($0)""# } ?? ""
        let moreFields = more.map { ", \($0)" } ?? ""
        let response = try await request(
            .post, "/events", token: token,
            json: #"{"title": "\#(title)", "totalSeats": \#(seats), "status": "\#(status)"\#(dateField)\#(moreFields)}"#)
        guard response.status == .created, let id = try response.json()["id"]?.intValue else {
            throw TestFailure("create event: \(response.status) \(String(buffer: response.body))")
        }
        return Int64(id)
    }

    /// Books and returns the booking reference.
    func book(token: String, eventId: Int64, seats: Int = 1) async throws -> String {
        let response = try await request(.post, "/bookings", token: token, json: #"{"eventId": \#(eventId), "seatCount": \#(seats)}"#)
        guard response.status == .created, let reference = try response.json()["data"]?["bookingReference"]?.stringValue else {
            throw TestFailure("book: \(response.status) \(String(buffer: response.body))")
        }
        return reference
    }
}

extension TestAPI {
    /// Holds seats and returns the hold object.
    func hold(token: String, eventId: Int64, seats: Int = 1) async throws -> JSONValue {
        let response = try await request(.post, "/holds", token: token, json: #"{"eventId": \#(eventId), "seatCount": \#(seats)}"#)
        guard response.status == .created, let hold = try response.json()["data"] else {
            throw TestFailure("hold: \(response.status) \(String(buffer: response.body))")
        }
        return hold
    }

    /// The event's `availableSeats` as the public API shows it.
    func availableSeats(_ eventId: Int64) async throws -> Int? {
        try await request(.get, "/events/\(eventId)").json()["availableSeats"]?.intValue
    }

    /// Polls `condition` every 50 ms until it holds, for at most `timeout`; false if it never did.
    func eventually(timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension TestResponse {
    func json() throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
    }

    /// The contract's error `code`, for one-line assertions.
    var errorCode: String? { (try? json())?["code"]?.stringValue }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    subscript(index: Int) -> JSONValue? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var intValue: Int? {
        if case .integer(let value) = self { return Int(value) }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var objectKeys: Set<String> {
        if case .object(let object) = self { return Set(object.keys) }
        return []
    }
}
