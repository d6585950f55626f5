import AsyncHTTPClient
import Foundation
import GRDB
import NIOCore
import Storage
import Synchronization
import Testing

/// The real binary stopped at a random moment of a booking rush, by SIGKILL or by SIGTERM, then looked at on
/// the same file: every booking it answered 201 is there, and `check` is clean. `make test` runs 5 kill -9
/// trials, `make faults` 50 (`FAULT_TRIALS`).
@Suite(.serialized) struct CrashTests {
    static let trials = Array(1...(Int(ProcessInfo.processInfo.environment["FAULT_TRIALS"] ?? "") ?? 5))

    /// The references answered 201 and the status of every answer, collected from concurrent tasks.
    final class Confirmed: Sendable {
        private let references = Mutex<[String]>([])
        private let statuses = Mutex<[UInt]>([])
        func add(_ reference: String) { references.withLock { $0.append(reference) } }
        func answered(_ status: UInt) { statuses.withLock { $0.append(status) } }
        var all: [String] { references.withLock { $0 } }
        var allStatuses: [UInt] { statuses.withLock { $0 } }
    }

    struct Server {
        let folder: URL
        let port: Int
        var environment: [String: String] {
            [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "PORT": "\(port)",
                "DATABASE_PATH": folder.appendingPathComponent("event-booking.sqlite").path, "MAIL_TRANSPORT": "file",
                "MAIL_OUTBOX_DIR": folder.appendingPathComponent("outbox").path, "PASSWORD_HASH_COST": "8", "LOG_LEVEL": "warning",
                "RATE_LIMIT_BOOKINGS_PER_USER": "off",
            ]
        }

        func run(_ arguments: [String]) throws -> Process {
            try FileModeTests.run(arguments + ["--env-file", folder.appendingPathComponent("none.env").path], environment: environment)
        }
    }

    static func waitUntilReady(_ client: HTTPClient, port: Int) async throws {
        for _ in 0..<200 {
            if let response = try? await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/health/ready"), timeout: .seconds(2)),
                response.status == .ok
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("the server did not become ready")
    }

    /// `timeout` bounds how long a request may wait: once the server is gone, the client retries connecting
    /// until then.
    static func send(
        _ client: HTTPClient, _ url: String, token: String? = nil, json: String, timeout: TimeAmount = .seconds(10)
    ) async throws -> (UInt, String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await client.execute(request, timeout: timeout)
        return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    static func field(_ name: String, in body: String) -> String? {
        body.firstMatch(of: try! Regex("\"\(name)\":\"?([^\",}]+)")).map { String($0.output[1].substring ?? "") }
    }

    @Test(arguments: trials)
    func killNineDuringARushLosesNoConfirmedBooking(trial: Int) async throws {
        try await Self.stopDuringARush(trial: trial, signal: SIGKILL)
    }

    /// SIGTERM: the process drains and exits 0 within SHUTDOWN_TIMEOUT, every answer it gave is a 201 (none a
    /// 5xx), and every 201 is there.
    @Test func sigtermDuringARushAnswersAndExitsCleanlyAndLosesNoBooking() async throws {
        try await Self.stopDuringARush(trial: 1, signal: SIGTERM)
    }

    static func stopDuringARush(trial: Int, signal: Int32) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = Server(folder: folder, port: try await FileModeTests.freePort())
        let seed = try server.run(["seed"])
        seed.waitUntilExit()
        #expect(seed.terminationStatus == 0)
        let process = try server.run(["serve"])
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await Self.crashAndRestart(trial: trial, signal: signal, server: server, process: process, client: client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    static func crashAndRestart(trial: Int, signal: Int32, server: Server, process: Process, client: HTTPClient) async throws {
        let base = "http://127.0.0.1:\(server.port)"
        try await Self.waitUntilReady(client, port: server.port)

        func login(_ email: String, _ password: String) async throws -> String {
            let (_, body) = try await Self.send(client, "\(base)/auth/login", json: #"{"email": "\#(email)", "password": "\#(password)"}"#)
            return try #require(Self.field("accessToken", in: body))
        }
        let organizer = try await login("organizer@example.com", "Organizer123!")
        let bookers = [try await login("alice@example.com", "Password123!"), try await login("bob@example.com", "Password123!")]
        let (_, created) = try await Self.send(
            client, "\(base)/events", token: organizer,
            json: #"{"title": "Crash", "totalSeats": 1000000, "status": "PUBLISHED", "eventDate": "2099-01-01T00:00:00Z"}"#)
        let eventId = try #require(Self.field("id", in: created))

        // 32 clients book as fast as they can; at a random moment the server is killed.
        let confirmed = Confirmed()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<32 {
                group.addTask {
                    while true {
                        guard let (status, body) = try? await Self.send(
                            client, "\(base)/bookings", token: bookers[index % 2], json: #"{"eventId": \#(eventId), "seatCount": 1}"#,
                            timeout: .seconds(2))
                        else { return }  // the server is gone
                        confirmed.answered(status)
                        if status == 201, let reference = Self.field("bookingReference", in: body) { confirmed.add(reference) }
                    }
                }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int.random(in: 200...800)))
                kill(process.processIdentifier, signal)
            }
            try await group.waitForAll()
        }
        if signal == SIGTERM {
            // Bounded: SHUTDOWN_TIMEOUT is 10 s; past 20 s the process is killed and the test fails.
            let deadline = ContinuousClock.now + .seconds(20)
            while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            #expect(process.terminationReason == .exit && process.terminationStatus == 0, "drained and exited 0")
            #expect(confirmed.allStatuses.allSatisfy { $0 == 201 }, "every answer was a booking: \(Set(confirmed.allStatuses))")
        } else {
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "killed, not stopped")
        }
        let answered = confirmed.all
        #expect(!answered.isEmpty, "the rush got going before the kill (trial \(trial))")

        // Started again on the same file: every 201 is there, and the invariant holds.
        let restarted = try server.run(["serve"])
        defer { if restarted.isRunning { restarted.terminate(); restarted.waitUntilExit() } }
        try await Self.waitUntilReady(client, port: server.port)
        let database = try DatabaseQueue(path: server.environment["DATABASE_PATH"]!)
        let stored = try await database.read { db in
            try Set(String.fetchAll(db, sql: "SELECT booking_reference FROM bookings WHERE event_id = ?", arguments: [Int64(eventId)]))
        }
        try database.close()
        let lost = Set(answered).subtracting(stored)
        #expect(lost.isEmpty, "trial \(trial): \(lost.count) of \(answered.count) confirmed bookings lost")
        let check = try server.run(["check"])
        check.waitUntilExit()
        #expect(check.terminationStatus == 0, "check is clean after the crash")
    }
}
