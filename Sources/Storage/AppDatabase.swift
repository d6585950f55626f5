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

    let dbWriter: any DatabaseWriter
    let logger: Logger
    /// Tries of the optimistic (version-guarded) write before the final serialized try.
    let optimisticAttempts: Int
    /// Two: one retry after a jittered backoff, then the serialized try. SQLite has one writer, so on a hot
    /// event most optimistic snapshots are stale before their write runs; each extra try is a read, a write
    /// that changes nothing and a sleep. Measured (README, Benchmarks): 5 tries 543-562 bookings/s on one hot
    /// event, 2 tries 806-843/s.
    public static let defaultOptimisticAttempts = 2
    /// Called between the optimistic read and the guarded write; tests use it to force a lost race.
    var beforeGuardedWrite: (@Sendable () async throws -> Void)?

    /// Opens (creating folder and file when missing) and migrates the database at `path`.
    public init(
        path: String,
        durability: Durability = .full,
        busyTimeout: TimeInterval = 5,
        optimisticAttempts: Int = defaultOptimisticAttempts,
        logger: Logger = Logger(label: "storage")
    ) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = GRDB.Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(busyTimeout)
        configuration.maximumReaderCount = 8
        let pool = try DatabasePool(path: path, configuration: configuration)
        // DatabasePool sets synchronous = NORMAL itself after prepareDatabase: set ours afterwards.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = \(durability.rawValue)")
        }
        try self.init(dbWriter: pool, optimisticAttempts: optimisticAttempts, logger: logger)
    }

    init(dbWriter: any DatabaseWriter, optimisticAttempts: Int = defaultOptimisticAttempts, logger: Logger = Logger(label: "storage")) throws {
        self.dbWriter = dbWriter
        self.optimisticAttempts = max(1, optimisticAttempts)
        self.logger = logger
        try Self.migrator.migrate(dbWriter)
    }

    /// Applies pending migrations only (what `event-booking migrate` does); opening does the same.
    public func migrate() throws {
        try Self.migrator.migrate(dbWriter)
    }

    /// The `journal_mode`, `synchronous` and `foreign_keys` values in force on the writer connection.
    public func pragmas() async throws -> (journalMode: String, synchronous: Int, foreignKeys: Bool) {
        try await dbWriter.writeWithoutTransaction { db in
            let journal = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
            let synchronous = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            let foreignKeys = try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false
            return (journal, synchronous, foreignKeys)
        }
    }

    /// Checkpoints the WAL and closes every connection. Later reads throw, but a later write crashes inside
    /// GRDB: close only once nothing can write any more (the app's `DatabaseService` stops last).
    public func close() throws {
        if let pool = dbWriter as? DatabasePool {
            try? pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            try pool.close()
        }
    }
}
