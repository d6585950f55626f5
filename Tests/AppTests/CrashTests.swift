import Foundation
import Testing

/// The real binary stopped at a random moment of a booking rush, by SIGKILL or by SIGTERM, then looked at on
/// the same file: every booking it answered 201 is there, and `check` is clean. `make test` runs 5 kill -9
/// trials, `make faults` 50 (`FAULT_TRIALS`).
@Suite(.serialized) struct CrashTests {
    static let trials = Array(1...(Int(ProcessInfo.processInfo.environment["FAULT_TRIALS"] ?? "") ?? 5))

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
        try await LiveServer.with { server in
            let process = try await server.serve()
            try await server.waitFor("/health/ready")
            let bookers = [
                try await server.login("alice@example.com", "Password123!"), try await server.login("bob@example.com", "Password123!"),
            ]
            let eventId = try await server.createEvent(seats: 1_000_000)

            // 32 clients book as fast as they can; at a random moment the server is stopped.
            let confirmed = RushAnswers()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<32 {
                    group.addTask {
                        while true {
                            guard let response = try? await server.book(bookers[index % 2], eventId: eventId, timeout: .seconds(2)) else {
                                return  // the server is gone
                            }
                            confirmed.record(response)
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
                server.stop(signal: SIGKILL)
                #expect(process.terminationReason == .exit && process.terminationStatus == 0, "drained and exited 0")
                #expect(confirmed.allStatuses.allSatisfy { $0 == 201 }, "every answer was a booking: \(Set(confirmed.allStatuses))")
            } else {
                process.waitUntilExit()
                #expect(process.terminationReason == .uncaughtSignal, "killed, not stopped")
            }
            let answered = confirmed.all
            #expect(!answered.isEmpty, "the rush got going before the stop (trial \(trial))")

            // Started again on the same file: every 201 is there, and the invariant holds.
            try await server.serve()
            try await server.waitFor("/health/ready")
            let lost = Set(answered).subtracting(try server.storedReferences(eventId: eventId))
            #expect(lost.isEmpty, "trial \(trial): \(lost.count) of \(answered.count) confirmed bookings lost")
            server.stop()
            #expect(try server.check() == 0, "check is clean after the crash")
        }
    }
}
