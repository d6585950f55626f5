import Foundation
import Logging
import Mail
import ServiceLifecycle
import Storage
import Testing
@testable import App

@Suite struct LifecycleTests {
    /// Runs `app` in a service group for a moment, then shuts it down gracefully.
    static func runBriefly(_ app: some Service, logger: Logger) async throws {
        let group = ServiceGroup(services: [app], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(200))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test func gracefulShutdownClosesTheDatabaseOnlyAfterItIsTriggered() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifecycle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try AppDatabase(path: folder.appendingPathComponent("db.sqlite").path)
        let logger = Logger(label: "test")
        let group = ServiceGroup(services: [DatabaseService(database: database, logger: logger)], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await Task.sleep(for: .milliseconds(50))
            #expect((try? await database.outboxSummary()) != nil, "open while the service runs")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect((try? await database.outboxSummary()) == nil, "closed once the service group has stopped")
    }

    @Test func theWholeAppStopsServerThenOutboxThenDatabase() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifecycle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let configuration = TestApp.configuration(folder: folder)
        let app = try await buildApplication(configuration)
        // A ServiceGroup stops its services in reverse order, and Application appends its server last: so the
        // server finishes its requests, then the outbox, the hold expiry and the purge stop, and only then is the
        // database closed (GRDB crashes on a write to a closed pool, so no service may outlive it).
        #expect(app.services.count == 4)
        #expect(app.services.first is DatabaseService)
        #expect(app.services.dropFirst().allSatisfy { $0 is OutboxDeliveryService || $0 is RetentionService || $0 is HoldExpiryService })

        try await Self.runBriefly(app, logger: Logger(label: "test"))
        let reopened = try AppDatabase(path: configuration.databasePath)
        #expect(try await reopened.checkIntegrity().isHealthy, "closed cleanly, opens again")
        try reopened.close()
    }

    @Test func theDebugLogOfStartingServicesHoldsNoSecret() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifecycle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = TestApp.configuration(folder: folder)
        configuration.mailTransport = .smtp
        configuration.mailUser = "mailer"
        configuration.mailPassword = "Sup3r-Secret-SMTP"
        let store = CapturingLogHandler.Store()
        let logger = Logger(label: "test") { _ in
            var handler = CapturingLogHandler(store: store)
            handler.logLevel = .trace
            return handler
        }
        // ServiceLifecycle logs every service it starts, as text, at debug.
        try await Self.runBriefly(try await buildApplication(configuration, logger: logger), logger: logger)
        let starting = store.all.filter { $0.contains("Starting service") }
        #expect(starting.contains { $0.contains("OutboxDeliveryService") }, "the services are named: \(starting)")
        for secret in ["Sup3r-Secret-SMTP", try configuration.resolvedJWTSecret()] {
            #expect(!store.all.contains { $0.contains(secret) }, "a log line holds a secret: \(store.all.filter { $0.contains(secret) })")
        }
        #expect(starting.allSatisfy { $0.count < 1000 }, "a service is named, not dumped with its templates")
    }
}
