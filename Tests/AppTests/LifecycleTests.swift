import Foundation
import Logging
import ServiceLifecycle
import Storage
import Testing
@testable import App

@Suite struct LifecycleTests {
    @Test func gracefulShutdownClosesTheDatabaseOnlyAfterItIsTriggered() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifecycle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try AppDatabase(path: folder.appendingPathComponent("db.sqlite").path)
        let logger = Logger(label: "test")
        let group = ServiceGroup(services: [DatabaseService(database: database, logger: logger)], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(50))
            #expect(await database.ping(), "open while the service runs")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(await !database.ping(), "closed once the service group has stopped")
    }
}
