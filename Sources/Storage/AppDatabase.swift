import CoreMetrics
import Foundation
import GRDB
import Logging

/// The service's one SQLite database: a WAL-mode `DatabasePool`, migrated when opened.
///
/// Every public method is one use case and one transaction. All SQL of the service lives in this
/// module, with bound parameters only.
public struct AppDatabase: Sendable {
    /// How much a committed transaction survives.
    public enum Durability: String, Sendable, CaseIterable {
        /// `synchronous = FULL`: a commit survives a crash of the process and a power loss.
        case full = "FULL"
        /// `synchronous = NORMAL`: a commit survives a crash of the process; a power loss may drop the last ones.
        case normal = "NORMAL"
    }

    let connections: DatabaseConnections
    /// The one writer of seat changes (bookings, cancellations, event updates), with group commit.
    let writer: BookingWriter
    let users: UserCache
    let events: EventCache
    /// The live seat counters' source: told of every committed change to an event.
    let seatFeed: SeatFeed
    let faults: StorageFaults
    let logger: Logger
    /// Tries of a command's version-guarded write before it gives up. Inside the writer's transaction no
    /// other connection can commit, so the first try wins unless something else shares the connection.
    static let guardedWriteAttempts = 3
    /// Runs between a command's read of the event and its guarded write; tests use it to force a lost race.
    var beforeGuardedWrite: (@Sendable (Database) throws -> Void)?

    /// Opens (creating folder and file when missing) and migrates the database at `path`.
    /// `metrics` receives the booking writer's batch sizes, commit times and batches run again; by default they are
    /// not kept.
    public init(
        path: String,
        durability: Durability = .full,
        busyTimeout: TimeInterval = 5,
        metrics: any MetricsFactory = NOOPMetricsHandler.instance,
        logger: Logger = Logger(label: "storage")
    ) throws {
        try self.init(path: path, durability: durability, busyTimeout: busyTimeout, metrics: metrics, beforeCommit: nil, logger: logger)
    }

    init(
        path: String, durability: Durability = .full, busyTimeout: TimeInterval = 5, metrics: any MetricsFactory = NOOPMetricsHandler.instance,
        beforeCommit: (@Sendable (Database) throws -> Void)?, logger: Logger = Logger(label: "storage")
    ) throws {
        SQLiteLibrary.configure()
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = GRDB.Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busyTimeout)
        // Two cores serve the requests; four readers are more than can run at once.
        configuration.maximumReaderCount = 4
        configuration.prepareDatabase { db in
            // Readers do point lookups and short pages: a small page cache each keeps the memory flat (the
            // OS caches the file anyway). The writer keeps SQLite's default of 2 MB for the hot pages.
            if db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -512") }
        }
        let users = UserCache()
        let events = EventCache()
        let faults = StorageFaults(folder: url.deletingLastPathComponent().path, logger: logger)
        let connections = try DatabaseConnections(path: path, configuration: configuration, durability: durability, faults: faults) {
            // Another file may be in place now.
            users.removeAll()
            events.removeAll()
        }
        self.connections = connections
        self.faults = faults
        self.writer = BookingWriter(connections: connections, metrics: WriterMetrics(factory: metrics), beforeCommit: beforeCommit)
        self.users = users
        self.events = events
        self.seatFeed = SeatFeed { ids in
            try await connections.pool.read { db in
                try ids.compactMap { id in
                    try Self.fetchEventDetails(id: id, db).map {
                        SeatAvailability(eventId: id, availableSeats: $0.event.availableSeats, status: $0.event.status)
                    }
                }
            }
        }
        self.logger = logger
        if connections.isReadOnly {
            // Served read-only until the file can be written: that needs a schema with nothing to migrate.
            guard try connections.pool.read(Self.migrator.hasCompletedMigrations) else {
                throw DatabaseError(
                    resultCode: .SQLITE_READONLY, message: "the database file or its folder cannot be written, and its schema needs migrating: \(path)")
            }
        } else {
            try Self.migrator.migrate(connections.pool)
        }
    }

    /// The pool in use, for reads. Writes go through `write` or the booking writer, which open the file again
    /// when it could not be written.
    var pool: DatabasePool { connections.pool }

    /// The database file.
    public var path: String { connections.path }

    /// A write transaction on the writer connection, its outcome recorded in `faults`, refused at once while
    /// a fault stands (but for one try per second: `StorageFaults.admitWrite`). Every write of Storage
    /// outside the booking writer goes through here.
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            let value = try await connections.writablePool().write(updates)
            connections.writeSucceeded()
            return value
        } catch {
            connections.writeFailed(error)
            throw error
        }
    }

    /// `write`, with SQLite's foreign key enforcement off for the transaction: for a delete whose `updates` checks
    /// every reference to the row itself. SQLite checks a deleted row's children by a search on their column, and
    /// `bookings.event_id` has no index (AppDatabase+ByEvent): deleting an event scanned every booking, 0.3 s at
    /// 2 M bookings, with the writer's connection held. The connection enforces foreign keys again before it
    /// serves anything else.
    func writeCheckingReferencesItself<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            let value = try await connections.writablePool().writeWithoutTransaction { db -> T in
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                let outcome = Result {
                    var value: T?
                    try db.inTransaction(.immediate) {
                        value = try updates(db)
                        return .commit
                    }
                    return value!
                }
                try db.execute(sql: "PRAGMA foreign_keys = ON")
                return try outcome.get()
            }
            connections.writeSucceeded()
            return value
        } catch {
            connections.writeFailed(error)
            throw error
        }
    }

    /// Called after every commit that changed event `id`: its cached copy goes, and its watchers hear of it.
    func eventChanged(_ id: Int64) {
        events.invalidate(id: id)
        seatFeed.changed(id)
    }

    /// Event `eventId`'s availability after every later commit that changes it (a live seat counter), until
    /// the stream is dropped. A slow reader gets the newest value and misses the ones in between.
    public func watchAvailability(eventId: Int64) -> AsyncStream<SeatAvailability> {
        seatFeed.watch(eventId: eventId)
    }

    /// Applies pending migrations only (what `event-booking migrate` does); opening does the same.
    public func migrate() throws {
        try Self.migrator.migrate(connections.writablePool())
    }

    /// The `journal_mode`, `synchronous`, `foreign_keys` and `wal_autocheckpoint` values in force on the writer
    /// connection.
    public func pragmas() async throws -> (journalMode: String, synchronous: Int, foreignKeys: Bool, walAutocheckpoint: Int) {
        try await pool.writeWithoutTransaction { db in
            let journal = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
            let synchronous = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            let foreignKeys = try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false
            let walAutocheckpoint = try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? -1
            return (journal, synchronous, foreignKeys, walAutocheckpoint)
        }
    }

    /// Checkpoints the WAL and closes every connection. Later reads throw, but a later write crashes inside
    /// GRDB: close only once nothing can write any more (the app's `DatabaseService` stops last).
    public func close() throws {
        let pool = connections.pool
        if !connections.isReadOnly {
            try? pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        }
        try pool.close()
    }
}
