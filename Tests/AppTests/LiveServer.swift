import AsyncHTTPClient
import Foundation
import GRDB
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

/// The real `event-booking` binary, as an operator runs it: its own folder (database, outbox, log), a free
/// loopback port, the seed's users, and an HTTP client. The fault, crash, backup and file-mode tests use it.
final class LiveServer: Sendable {
    /// `event-booking`, built beside this test bundle.
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("event-booking")

    let folder: URL
    let databasePath: String
    private let currentPort: Mutex<Int>
    private let clients = Mutex<[HTTPClient]>([])
    private let serving = Mutex<Process?>(nil)

    /// The loopback port `serve` listens on. It changes only when another socket took it between `freePort()`
    /// and the server's bind (see `serve()`).
    var port: Int { currentPort.withLock { $0 } }

    /// The client for the current `serve`. Each start gets a new one: after a server went away, a client
    /// backs off before connecting again, for longer with every refused connection of a rush.
    var client: HTTPClient { clients.withLock { $0.last! } }

    private static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// A loopback port nothing listens on: the OS picks it, and it is released at once.
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { channel.close(promise: nil) }
        return channel.localAddress?.port ?? 0
    }

    /// A new folder and no database yet: the first command run creates it at `databasePath` (default: in the folder).
    /// `port` (default: a free one) is where `serve` tries first.
    static func unseeded(databasePath: String? = nil, port: Int? = nil) async throws -> LiveServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let port = if let port { port } else { try await freePort() }
        return LiveServer(
            folder: folder, port: port, databasePath: databasePath ?? folder.appendingPathComponent("event-booking.sqlite").path)
    }

    /// A new folder with a seeded database at `databasePath` (default: in the folder).
    static func seeded(databasePath: String? = nil) async throws -> LiveServer {
        let server = try await unseeded(databasePath: databasePath)
        let seed = try server.run(["seed"])
        seed.waitUntilExit()
        guard seed.terminationStatus == 0 else { throw TestFailure("seed failed") }
        return server
    }

    private init(folder: URL, port: Int, databasePath: String) {
        self.folder = folder
        self.currentPort = Mutex(port)
        self.databasePath = databasePath
    }

    var environment: [String: String] {
        [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "PORT": "\(port)", "DATABASE_PATH": databasePath,
            "MAIL_TRANSPORT": "file", "MAIL_OUTBOX_DIR": folder.appendingPathComponent("outbox").path, "PASSWORD_HASH_COST": "8",
            "LOG_LEVEL": "notice", "RATE_LIMIT_BOOKINGS_PER_USER": "off",
        ]
    }

    /// Runs `event-booking arguments` on this server's settings (`check`, `backup`, ...); its output is dropped.
    func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments + ["--env-file", folder.appendingPathComponent("none.env").path]
        process.environment = environment.merging(extra) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// `event-booking check`'s exit status on `databasePath` (default: this server's database).
    func check(databasePath: String? = nil) throws -> Int32 {
        let check = try run(["check"], environment: databasePath.map { ["DATABASE_PATH": $0] } ?? [:])
        check.waitUntilExit()
        return check.terminationStatus
    }

    /// Starts `serve`, its log in `log`, and waits until `/health/live` answers (not ready: a test may
    /// start it on a database it cannot write).
    ///
    /// The port is free when `freePort()` returns, but the suites run in parallel and their clients take
    /// ephemeral ports too: when one took it before the server's bind, `serve` exits with "Address already in
    /// use", and it is started again on a new port.
    @discardableResult
    func serve() async throws -> Process {
        var attempts = 1
        while true {
            let process = try start()
            do {
                try await waitFor("/health/live")
                return process
            } catch {
                guard attempts < 5, !process.isRunning, log.contains("Address already in use") else { throw error }
                attempts += 1
                let port = try await Self.freePort()
                currentPort.withLock { $0 = port }
            }
        }
    }

    private func start() throws -> Process {
        let logFile = folder.appendingPathComponent("server.log")
        guard FileManager.default.createFile(atPath: logFile.path, contents: nil) else { throw TestFailure("cannot create \(logFile.path)") }
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["serve", "--env-file", folder.appendingPathComponent("none.env").path]
        process.environment = environment
        let log = try FileHandle(forWritingTo: logFile)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        serving.withLock { $0 = process }
        clients.withLock { $0.append(Self.makeClient()) }
        return process
    }

    /// What `serve` has logged so far.
    var log: String {
        (try? String(contentsOf: folder.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
    }

    /// Lines of the log that contain `text`.
    func logLines(containing text: String) -> [Substring] {
        log.split(separator: "\n").filter { $0.contains(text) }
    }

    /// Polls `path` until it answers 200, for at most `seconds`.
    func waitFor(_ path: String, seconds: Int = 60) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let process = serving.withLock({ $0 }), !process.isRunning {
                throw TestFailure("serve exited (\(process.terminationStatus)) before \(path) answered; its log:\n\(log)")
            }
            if let response = try? await request(.GET, path, timeout: .seconds(2)), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("\(path) did not answer 200 within \(seconds) s; the server's log:\n\(log)")
    }

    struct Response: Sendable {
        let status: UInt
        let body: String
        let headers: HTTPHeaders

        /// `name`'s first value in the JSON body, as text.
        func field(_ name: String) -> String? { LiveServer.field(name, in: body) }
    }

    /// `timeout` bounds the whole exchange: once the server is gone, the client retries connecting until then.
    func request(
        _ method: HTTPMethod, _ path: String, token: String? = nil, json: String? = nil, timeout: TimeAmount = .seconds(30)
    ) async throws -> Response {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await client.execute(request, timeout: timeout)
        return Response(
            status: response.status.code, body: String(buffer: try await response.body.collect(upTo: 1 << 20)), headers: response.headers)
    }

    func login(_ email: String, _ password: String) async throws -> String {
        let response = try await request(.POST, "/auth/login", json: #"{"email": "\#(email)", "password": "\#(password)"}"#)
        return try #require(response.field("accessToken"), "login of \(email): \(response.status) \(response.body)")
    }

    /// Logs in the seed's organizer and creates a published event with `seats`; returns its id.
    func createEvent(seats: Int) async throws -> Int {
        let organizer = try await login("organizer@example.com", "Organizer123!")
        let created = try await request(
            .POST, "/events", token: organizer,
            json: #"{"title": "Live", "totalSeats": \#(seats), "status": "PUBLISHED", "eventDate": "2099-01-01T00:00:00Z"}"#)
        return try #require(created.field("id").flatMap { Int($0) }, "created: \(created.status) \(created.body)")
    }

    func book(_ token: String, eventId: Int, seats: Int = 1, timeout: TimeAmount = .seconds(30)) async throws -> Response {
        try await request(.POST, "/bookings", token: token, json: #"{"eventId": \#(eventId), "seatCount": \#(seats)}"#, timeout: timeout)
    }

    /// The booking references stored for `eventId`, read from the file (the server may be stopped).
    func storedReferences(eventId: Int, databasePath: String? = nil) throws -> Set<String> {
        let database = try DatabaseQueue(path: databasePath ?? self.databasePath)
        defer { try? database.close() }
        return try database.read { db in
            try Set(String.fetchAll(db, sql: "SELECT booking_reference FROM bookings WHERE event_id = ?", arguments: [eventId]))
        }
    }

    /// Sends `signal` to `serve` and waits for it to end.
    func stop(signal: Int32 = SIGTERM) {
        guard let process = serving.withLock({ $0 }) else { return }
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
    }

    /// Kills `serve` if it runs, ends the client and removes the folder; call it on every path out.
    func shutdown() async {
        stop(signal: SIGKILL)
        for client in clients.withLock({ $0 }) { try? await client.shutdown() }
        try? FileManager.default.removeItem(at: folder)
    }

    static func field(_ name: String, in body: String) -> String? {
        body.firstMatch(of: try! Regex("\"\(name)\":\"?([^\",}]+)")).map { String($0.output[1].substring ?? "") }
    }

    /// Runs `body` with a seeded server, and shuts it down afterwards whether `body` threw or not.
    static func with<T>(databasePath: String? = nil, _ body: (LiveServer) async throws -> T) async throws -> T {
        let server = try await seeded(databasePath: databasePath)
        do {
            let value = try await body(server)
            await server.shutdown()
            return value
        } catch {
            await server.shutdown()
            throw error
        }
    }
}

/// What the clients of a rush were answered: the references of their 201s and every status, collected from
/// concurrent tasks.
final class RushAnswers: Sendable {
    private let references = Mutex<[String]>([])
    private let statuses = Mutex<[UInt]>([])

    func record(_ response: LiveServer.Response) {
        statuses.withLock { $0.append(response.status) }
        if response.status == 201, let reference = response.field("bookingReference") { references.withLock { $0.append(reference) } }
    }

    /// The references answered 201 so far.
    var all: [String] { references.withLock { $0 } }
    var allStatuses: [UInt] { statuses.withLock { $0 } }
}
