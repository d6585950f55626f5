import Foundation
import Synchronization
import Testing

/// `event-booking backup`, run by an operator while a booking rush goes on, writes one consistent snapshot.
@Suite struct BackupDuringRushTests {
    @Test func aBackupTakenDuringARushIsConsistentAndChecksClean() async throws {
        try await LiveServer.with { server in
            try await server.serve()
            try await server.waitFor("/health/ready")
            let bookers = [
                try await server.login("alice@example.com", "Password123!"), try await server.login("bob@example.com", "Password123!"),
            ]
            let eventId = try await server.createEvent(seats: 1_000_000)
            let copy = server.folder.appendingPathComponent("backups/during-rush.sqlite").path

            let answers = RushAnswers()
            let rushing = RushSwitch()
            let (confirmedBefore, backupStatus) = try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<16 {
                    group.addTask {
                        while rushing.isOn {
                            answers.record(try await server.book(bookers[index % 2], eventId: eventId))
                        }
                    }
                }
                // Once the rush is under way, the backup runs beside it, as its own process.
                while answers.all.count < 200 { try await Task.sleep(for: .milliseconds(10)) }
                let confirmedBefore = Set(answers.all)
                let backup = try server.run(["backup", copy])
                while backup.isRunning { try await Task.sleep(for: .milliseconds(10)) }
                // Some more bookings after it, then the rush ends.
                let atEnd = answers.all.count
                while answers.all.count < atEnd + 100 { try await Task.sleep(for: .milliseconds(10)) }
                rushing.turnOff()
                try await group.waitForAll()
                return (confirmedBefore, backup.terminationStatus)
            }
            #expect(backupStatus == 0, "the backup succeeded during the rush")
            #expect(answers.allStatuses.allSatisfy { $0 == 201 }, "the rush was not disturbed: \(Set(answers.allStatuses))")

            // The copy is a snapshot: everything confirmed before the backup started, nothing that was never
            // confirmed, and seat counters that agree with its bookings (`check`).
            let inCopy = try server.storedReferences(eventId: eventId, databasePath: copy)
            #expect(confirmedBefore.isSubset(of: inCopy), "\(confirmedBefore.subtracting(inCopy).count) confirmed bookings missing")
            #expect(inCopy.isSubset(of: Set(answers.all)), "the copy holds bookings no one was answered 201 for")
            #expect(inCopy.count < answers.all.count, "bookings after the backup are not in it")
            #expect(try server.check(databasePath: copy) == 0, "check is clean on the copy")
            server.stop()
            #expect(try server.check() == 0)
        }
    }
}

/// Tells a rush's clients when to stop.
final class RushSwitch: Sendable {
    private let on = Atomic<Bool>(true)
    var isOn: Bool { on.load(ordering: .relaxed) }
    func turnOff() { on.store(false, ordering: .relaxed) }
}
