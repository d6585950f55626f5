import Foundation
import Testing

/// The real binary, left alone, uses no CPU to speak of: nothing it runs in the background (the outbox's
/// delivery, the retention purge) may spin.
@Suite struct IdleServerTests {
    /// User and system CPU time of process `pid` so far, in clock ticks (1/100 s), from /proc.
    static func cpuTicks(_ pid: Int32) throws -> Int {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // The fields after the command name (which is in parentheses and may hold spaces); utime and stime
        // are the 14th and 15th fields of the whole line.
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        return Int(fields[11])! + Int(fields[12])!
    }

    @Test func anIdleServerSleeps() async throws {
        try await LiveServer.with { server in
            let process = try await server.serve()
            try await server.waitFor("/health/ready")
            // A booking leaves mail for the delivery service; after that nothing is to be done.
            let user = try await server.login("alice@example.com", "Password123!")
            let eventId = try await server.createEvent(seats: 10)
            #expect(try await server.book(user, eventId: eventId).status == 201)
            try await Task.sleep(for: .seconds(3))
            let before = try Self.cpuTicks(process.processIdentifier)
            try await Task.sleep(for: .seconds(2))
            let used = try Self.cpuTicks(process.processIdentifier) - before
            #expect(used < 40, "\(used) ticks of CPU in 2 s of idling (a spinning loop takes ~200)")
        }
    }
}
