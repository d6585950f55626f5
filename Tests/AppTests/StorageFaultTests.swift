import Foundation
import HTTPTypes
import Logging
import Testing
@testable import App

/// Another process (python3's sqlite3) that takes the database's write lock and holds it until `release()`.
final class LockHolder {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()

    init(databasePath: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c",
            """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            sys.stdin.read()
            db.execute("ROLLBACK")
            """,
            databasePath,
        ]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // Returns once the lock is held.
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard line.hasPrefix("locked") else { throw TestFailure("the lock holder did not start: \(line)") }
    }

    /// Lets the lock go and waits for the process to end; calling it again does nothing.
    func release() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

/// Writes that SQLite cannot store right now get a 503 that names the cause, never a 500, and the service
/// recovers by itself once the cause is gone.
@Suite struct StorageFaultTests {
    @Test func lockHeldByAnotherProcessIs503ForWritesWhileReadsWorkAndRecoversWithoutARestart() async throws {
        let store = CapturingLogHandler.Store()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(store: store) }
        try await TestApp.run(logger: logger, busyTimeout: 0.2) { api in
            let organizer = try await api.register("o@example.com", role: "ORGANIZER")
            let user = try await api.register("u@example.com")
            let eventId = try await api.createEvent(token: organizer, seats: 10)

            // Another process takes the write lock and keeps it longer than the busy timeout.
            let holder = try LockHolder(databasePath: api.app.configuration.databasePath)
            defer { holder.release() }  // also when an expectation throws; a second release does nothing

            let booking = try await api.request(.post, "/bookings", token: user, json: #"{"eventId": \#(eventId), "seatCount": 2}"#)
            #expect(booking.status == .serviceUnavailable)
            #expect(booking.errorCode == "STORAGE_UNAVAILABLE")
            #expect(booking.headers[.retryAfter] != nil)
            let code = try await api.request(.post, "/auth/send-code", json: #"{"email": "n@example.com", "type": "register"}"#)
            #expect(code.status == .serviceUnavailable, "a write outside the booking writer too")
            #expect(code.errorCode == "STORAGE_UNAVAILABLE")
            let page = try await api.request(.get, "/events/\(eventId)")
            #expect(page.status == .ok, "reads keep working")
            #expect(try page.json()["availableSeats"]?.intValue == 10, "the refused booking left nothing behind")
            #expect(try await api.request(.get, "/health/ready").status == .serviceUnavailable, "not ready while writes fail")
            #expect(try await api.request(.get, "/health/live").status == .ok)
            let errors = store.all.filter { $0.hasPrefix("error") }
            #expect(errors.count == 1 && errors[0].contains("storage fault"), "logged once, not once per refused write: \(errors)")

            holder.release()
            #expect(try await api.request(.get, "/health/ready").status == .ok, "ready again by itself: its probe write succeeded")
            #expect(store.all.filter { $0.contains("storage recovered") }.count == 1)
            let retried = try await api.request(.post, "/bookings", token: user, json: #"{"eventId": \#(eventId), "seatCount": 2}"#)
            #expect(retried.status == .created, "the next write succeeds once the lock is gone")
            #expect(try await api.app.database.checkIntegrity().isHealthy)
        }
    }
}
