import CoreMetrics
import Foundation
import GRDB
@testable import Storage

/// A fresh database file in its own temporary folder, removed when the test ends.
struct TestDatabase {
    let folder: URL
    var database: AppDatabase

    init(beforeCommit: (@Sendable (Database) throws -> Void)? = nil, metrics: any MetricsFactory = NOOPMetricsHandler.instance) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("storage-tests-\(UUID().uuidString)")
        database = try AppDatabase(path: folder.appendingPathComponent("test.sqlite").path, metrics: metrics, beforeCommit: beforeCommit)
    }

    func tearDown() {
        try? database.close()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Runs `body` with a fresh database and always removes it afterwards.
    /// `beforeCommit` runs in every writer batch after its commands, before its commit; `metrics` gets the writer's.
    static func with<T>(
        beforeCommit: (@Sendable (Database) throws -> Void)? = nil, metrics: any MetricsFactory = NOOPMetricsHandler.instance,
        _ body: (inout TestDatabase) async throws -> T
    ) async throws -> T {
        var test = try TestDatabase(beforeCommit: beforeCommit, metrics: metrics)
        defer { test.tearDown() }
        return try await body(&test)
    }

    /// Runs `body` with a database made by the migrations up to `migration` and given `rows` (SQL) in that schema,
    /// then opened as the service opens it, which runs every later migration; removes it afterwards.
    static func upgraded<T>(from migration: String, rows: String, _ body: (AppDatabase) async throws -> T) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("upgrade-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("old.sqlite").path
        let old = try DatabaseQueue(path: path)
        try AppDatabase.migrator.migrate(old, upTo: migration)
        try await old.write { db in try db.execute(sql: rows) }
        try old.close()

        let database = try AppDatabase(path: path)
        defer { try? database.close() }
        return try await body(database)
    }

    func user(_ email: String, role: UserRole = .user) async throws -> User {
        try await database.createUser(
            NewUser(email: email, firstname: "First", lastname: "Last", passwordHash: "x", country: "DE", role: role))
    }

    func publishedEvent(seats: Int, organizer: User, date: Date? = Date().addingTimeInterval(86_400)) async throws -> Event {
        try await database.createEvent(
            NewEvent(title: "Concert", description: nil, totalSeats: seats, status: .published, eventDate: date), organizerId: organizer.id!
        ).event
    }

    /// The cast most tests need: an organizer, a user, and the organizer's published event of `seats` seats.
    func organizerUserAndEvent(seats: Int) async throws -> (organizer: User, user: User, event: Event) {
        let organizer = try await user("o@example.com", role: .organizer)
        let user = try await user("u@example.com")
        return (organizer, user, try await publishedEvent(seats: seats, organizer: organizer))
    }

    func event(_ id: Int64) async throws -> Event {
        try await database.pool.read { db in try Event.fetchOne(db, key: id)! }
    }
}

extension BookingOutcome {
    var details: BookingDetails? {
        if case .created(let details, _) = self { return details }
        return nil
    }

    var attempts: Int? {
        if case .created(_, let attempts) = self { return attempts }
        return nil
    }
}
