import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// The connections to the database file: one `DatabasePool`, replaced when writes need a new one.
///
/// SQLite decides whether a connection may write when it opens the file, and never again. So a database
/// file (or folder) that cannot be written when the service starts is opened read-only: reads are served,
/// and every write fails with `SQLITE_READONLY` (503 `STORAGE_UNAVAILABLE`). The next write after a
/// refusal opens the file again, at most once every `reopenInterval`, and uses the new pool once it can
/// write: giving write permission back is enough, no restart. Any write refused as read-only later on
/// has the same effect.
final class DatabaseConnections: Sendable {
    private struct State {
        var pool: DatabasePool
        /// The pool cannot write: the next write opens the file again first.
        var readOnly: Bool
        var lastOpenAttempt: ContinuousClock.Instant?
    }

    private let state: Mutex<State>
    let path: String
    private let configuration: GRDB.Configuration
    private let durability: AppDatabase.Durability
    let reopenInterval: Duration
    /// Runs after a new pool replaced the old one: what was cached may come from another file.
    private let didReopen: @Sendable () -> Void

    /// Opens `path` read-write, or read-only when it cannot be written now (see the type's comment).
    /// `isReadOnly` tells which.
    init(
        path: String, configuration: GRDB.Configuration, durability: AppDatabase.Durability, reopenInterval: Duration = .milliseconds(100),
        didReopen: @escaping @Sendable () -> Void
    ) throws {
        self.path = path
        self.configuration = configuration
        self.durability = durability
        self.reopenInterval = reopenInterval
        self.didReopen = didReopen
        let pool: DatabasePool
        let readOnly: Bool
        do {
            pool = try Self.openWritable(path: path, configuration: configuration, durability: durability)
            readOnly = false
        } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
            var readOnlyConfiguration = configuration
            readOnlyConfiguration.readonly = true
            pool = try DatabasePool(path: path, configuration: readOnlyConfiguration)
            readOnly = true
        }
        state = Mutex(State(pool: pool, readOnly: readOnly, lastOpenAttempt: readOnly ? .now : nil))
    }

    /// The pool to read from (and, when `isReadOnly` is false, to write with).
    var pool: DatabasePool { state.withLock { $0.pool } }

    /// True while writes go to a pool that cannot write.
    var isReadOnly: Bool { state.withLock { $0.readOnly } }

    /// The pool to write with. While the file could not be written, opens it again first (at most once per
    /// `reopenInterval`), and throws `SQLITE_READONLY` while it still cannot be written.
    func writablePool() throws -> DatabasePool {
        let reopened = try state.withLock { state -> Bool in
            guard state.readOnly else { return false }
            let now = ContinuousClock.now
            if let last = state.lastOpenAttempt, now - last < reopenInterval { throw Self.readOnlyError(path) }
            state.lastOpenAttempt = now
            guard let pool = try? Self.openWritable(path: path, configuration: configuration, durability: durability) else {
                throw Self.readOnlyError(path)
            }
            // The old pool closes its connections once the last read that uses it is done.
            state.pool = pool
            state.readOnly = false
            return true
        }
        if reopened { didReopen() }
        return pool
    }

    /// Called with every error a write ended with: `SQLITE_READONLY` means the pool can no longer write.
    func writeFailed(_ error: any Error) {
        guard let error = error as? DatabaseError, error.resultCode == .SQLITE_READONLY else { return }
        state.withLock { $0.readOnly = true }
    }

    private static func readOnlyError(_ path: String) -> DatabaseError {
        DatabaseError(resultCode: .SQLITE_READONLY, message: "the database file or its folder cannot be written: \(path)")
    }

    /// A pool whose writer connection can write, or `SQLITE_READONLY`.
    private static func openWritable(path: String, configuration: GRDB.Configuration, durability: AppDatabase.Durability) throws -> DatabasePool {
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.writeWithoutTransaction { db in
            // SQLite falls back to a read-only connection when the file cannot be opened for writing.
            if sqlite3_db_readonly(db.sqliteConnection, "main") == 1 { throw readOnlyError(path) }
            // DatabasePool sets synchronous = NORMAL itself after prepareDatabase: set ours afterwards.
            try db.execute(sql: "PRAGMA synchronous = \(durability.rawValue)")
        }
        return pool
    }
}
