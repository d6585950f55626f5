import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// The connections to the database file, and the gate every write of Storage passes: one `DatabasePool`,
/// replaced when writes need a new one, and the `StorageFaults` that every write's outcome goes to.
///
/// A write asks `writablePool()`, then reports `writeSucceeded()` or `writeFailed(_:)`. While a fault
/// stands, `writablePool()` refuses at once but for one try per second (`StorageFaults.admitWrite`).
///
/// SQLite decides whether a connection may write when it opens the file, and never again. So a database
/// file (or folder) that cannot be written when the service starts is opened read-only: reads are served,
/// and every write fails with `SQLITE_READONLY` (503 `STORAGE_UNAVAILABLE`). The next write the faults
/// admit opens the file again and uses the new pool once it can write: giving write permission back is
/// enough, no restart. Any write refused as read-only later on has the same effect.
final class DatabaseConnections: Sendable {
    private struct State {
        var pool: DatabasePool
        /// The pool cannot write: the next write opens the file again first.
        var readOnly: Bool
    }

    private let state: Mutex<State>
    let path: String
    let faults: StorageFaults
    private let configuration: GRDB.Configuration
    private let durability: AppDatabase.Durability
    /// Runs after a new pool replaced the old one: what was cached may come from another file.
    private let didReopen: @Sendable () -> Void

    /// Opens `path` read-write, or read-only when it cannot be written now (see the type's comment), which
    /// is then a standing fault. `isReadOnly` tells which.
    init(
        path: String, configuration: GRDB.Configuration, durability: AppDatabase.Durability, faults: StorageFaults,
        didReopen: @escaping @Sendable () -> Void
    ) throws {
        self.path = path
        self.configuration = configuration
        self.durability = durability
        self.faults = faults
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
        state = Mutex(State(pool: pool, readOnly: readOnly))
        if readOnly { faults.record(Self.readOnlyError(path)) }
    }

    /// The pool to read from (and, when `isReadOnly` is false, to write with).
    var pool: DatabasePool { state.withLock { $0.pool } }

    /// True while writes go to a pool that cannot write.
    var isReadOnly: Bool { state.withLock { $0.readOnly } }

    /// The pool to write with. Throws the standing fault when `faults` refuses the write; while the file
    /// could not be written, opens it again first, and throws `SQLITE_READONLY` while it still cannot be.
    func writablePool() throws -> DatabasePool {
        if let refused = faults.admitWrite() { throw refused }
        let reopened = try state.withLock { state -> Bool in
            guard state.readOnly else { return false }
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

    func writeSucceeded() {
        faults.recordSuccess()
    }

    /// Records the error a write ended with; `SQLITE_READONLY` also means the pool can no longer write.
    func writeFailed(_ error: any Error) {
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_READONLY {
            state.withLock { $0.readOnly = true }
        }
        faults.record(error)
    }

    private static func readOnlyError(_ path: String) -> DatabaseError {
        DatabaseError(resultCode: .SQLITE_READONLY, message: "the database file or its folder cannot be written: \(path)")
    }

    /// The WAL's length, in pages of 4 KiB, at which a commit checkpoints it.
    static let walCheckpointPages = 4_000

    /// A pool whose writer connection can write, or `SQLITE_READONLY`.
    private static func openWritable(path: String, configuration: GRDB.Configuration, durability: AppDatabase.Durability) throws -> DatabasePool {
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.writeWithoutTransaction { db in
            // SQLite falls back to a read-only connection when the file cannot be opened for writing.
            if sqlite3_db_readonly(db.sqliteConnection, "main") == 1 { throw readOnlyError(path) }
            // DatabasePool sets synchronous = NORMAL itself after prepareDatabase: set ours afterwards.
            try db.execute(sql: "PRAGMA synchronous = \(durability.rawValue)")
            // The commit that takes the WAL past this many pages copies them into the database file and syncs
            // it, on the writer, which everything waits for. A rush rewrites the same pages (the event, the
            // ends of the indexes) in every batch, and a longer WAL copies each of them once for more batches:
            // 4,000 pages (16 MiB) instead of SQLite's 1,000 took `make bench-floor` from 46 to 42 us of wall
            // time a booking, and a rush 4 % further in paired runs.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(walCheckpointPages)")
            // SQLite keeps the pages a savepoint (a batch run again) or a statement that may fail halfway (a
            // delivery round's mark) changed in a sub-journal, which it moves to a temporary file once it passes
            // 64 KB, and then writes every later page there too. When every batch ran its commands in
            // savepoints, a quarter of the batches of 20 bookings did, and a hot rush wrote three times as
            // often to /var/tmp as to the WAL. Kept in memory, it is freed by the commit at the latest. (A statement's temporary tables and sorts are
            // kept in memory too: the writer's statements are small.)
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        return pool
    }
}
