import Foundation
import TestSupport
import Testing

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

/// Writes that SQLite cannot store right now get a 503 that names the cause, never a 500; reads keep
/// working; the fault is logged once; and the service recovers by itself once the cause is gone. Each test
/// runs the real binary. The full disk and the read-only file need root (a tmpfs mount, `chattr +i`), as CI
/// has; for another user a read-only file is `chmod 0400`, which root's permissions override.
@Suite struct StorageFaultTests {
    static let isRoot = getuid() == 0

    @Test func aLockHeldByAnotherProcessBeyondTheBusyTimeoutIs503AndClearsWhenReleased() async throws {
        try await LiveServer.with { server in
            try await server.serve()
            try await server.waitFor("/health/ready")
            let user = try await server.login("alice@example.com", "Password123!")
            let eventId = try await server.createEvent(seats: 10)

            // Another process takes the write lock and keeps it longer than the busy timeout (5 s).
            let holder = try LockHolder(databasePath: server.databasePath)
            defer { holder.release() }  // also when an expectation throws; a second release does nothing
            try await Self.expectWritesRefused(server, user: user, eventId: eventId, seatsLeft: 10, code: "STORAGE_UNAVAILABLE")
            #expect(try await server.request(.POST, "/auth/send-code", json: #"{"email": "n@example.com", "type": "register"}"#).status == 503)

            holder.release()
            try await Self.expectRecovery(server, user: user, eventId: eventId)
        }
    }

    @Test(.enabled(if: isRoot, "mounts a tmpfs, which needs root"))
    func aFullDiskIs503StorageFullWhileReadsWorkAndRecoversOnceThereIsSpace() async throws {
        let disk = try SmallDisk(megabytes: 2)
        defer { disk.remove() }
        try await LiveServer.with(databasePath: disk.folder.appendingPathComponent("event-booking.sqlite").path) { server in
            try await server.serve()
            try await server.waitFor("/health/ready")
            let user = try await server.login("alice@example.com", "Password123!")
            let eventId = try await server.createEvent(seats: 100_000)

            // Whatever room is left goes to another file; SQLite may still fit a few bookings in its WAL.
            let filler = disk.folder.appendingPathComponent("filler")
            _ = FileManager.default.createFile(atPath: filler.path, contents: nil)
            let handle = try FileHandle(forWritingTo: filler)
            while (try? handle.write(contentsOf: Data(count: 4096))) != nil {}
            try handle.close()
            var confirmed: [String] = []
            var refusal: LiveServer.Response?
            for _ in 0..<5_000 {
                let response = try await server.book(user, eventId: eventId)
                guard response.status == 201, let reference = response.field("bookingReference") else {
                    refusal = response
                    break
                }
                confirmed.append(reference)
            }
            let refused = try #require(refusal, "the disk filled up within 5,000 bookings")
            #expect(refused.status == 503 && refused.field("code") == "STORAGE_FULL", "\(refused.status) \(refused.body)")
            try await Self.expectWritesRefused(
                server, user: user, eventId: eventId, seatsLeft: 100_000 - confirmed.count, code: "STORAGE_FULL")

            try disk.resize(megabytes: 64)
            try await Self.expectRecovery(server, user: user, eventId: eventId)
            let lost = Set(confirmed).subtracting(try server.storedReferences(eventId: eventId))
            #expect(lost.isEmpty, "\(lost.count) of \(confirmed.count) bookings answered 201 before the disk filled are lost")
        }
    }

    @Test(.enabled(if: isRoot, "makes a file immutable, which needs root"))
    func aReadOnlyDatabaseFileIsServedForReadsAndTakesWritesOnceWritableAgain() async throws {
        try await LiveServer.with { server in
            try await server.serve()
            try await server.waitFor("/health/ready")
            let user = try await server.login("alice@example.com", "Password123!")
            let eventId = try await server.createEvent(seats: 10)
            server.stop()

            // SQLite opens a file it cannot write read-only, and never asks again on that connection.
            try shell("chattr", "+i", server.databasePath)
            defer { try? shell("chattr", "-i", server.databasePath) }
            try await server.serve()
            try await Self.expectWritesRefused(server, user: user, eventId: eventId, seatsLeft: 10, code: "STORAGE_UNAVAILABLE")
            #expect(server.logLines(containing: "storage fault").first?.contains("cannot be written") == true, "the log names the cause")
            #expect(try await server.request(.POST, "/auth/send-code", json: #"{"email": "n@example.com", "type": "register"}"#).status == 503)

            try shell("chattr", "-i", server.databasePath)
            try await Self.expectRecovery(server, user: user, eventId: eventId)
        }
    }

    /// A booking is refused with `code` and a Retry-After; reads work and show nothing of it; the service
    /// is live but not ready; the fault is logged once.
    static func expectWritesRefused(_ server: LiveServer, user: String, eventId: Int, seatsLeft: Int, code: String) async throws {
        let booking = try await server.book(user, eventId: eventId)
        #expect(booking.status == 503 && booking.field("code") == code, "\(booking.status) \(booking.body)")
        #expect(booking.headers["Retry-After"].first.flatMap { Int($0) } != nil, "Retry-After: \(booking.headers)")
        let event = try await server.request(.GET, "/events/\(eventId)")
        #expect(event.status == 200, "reads keep working")
        #expect(event.field("availableSeats").flatMap { Int($0) } == seatsLeft, "a refused booking leaves nothing behind")
        #expect(try await server.request(.GET, "/bookings", token: user).status == 200, "the booker's list still reads")
        #expect(try await server.request(.GET, "/health/ready").status == 503, "not ready while writes fail")
        #expect(try await server.request(.GET, "/health/live").status == 200)
        let faults = server.logLines(containing: "storage fault")
        #expect(faults.count == 1, "logged once, not once per refused write: \(faults)")
    }

    /// Readiness comes back by itself, logged once; the next booking succeeds; and after a clean stop
    /// `check` finds the file sound.
    static func expectRecovery(_ server: LiveServer, user: String, eventId: Int) async throws {
        try await server.waitFor("/health/ready")
        #expect(server.logLines(containing: "storage recovered").count == 1)
        let booking = try await server.book(user, eventId: eventId)
        #expect(booking.status == 201, "the next write succeeds without a restart: \(booking.status) \(booking.body)")
        server.stop()
        #expect(try server.check() == 0, "check is clean after the fault")
        #expect(server.logLines(containing: "storage fault").count == 1, "one fault, logged once")
    }
}
