import Foundation
import GRDB
import Logging

extension AppDatabase {
    /// Optimistic concurrency for every writer command that depends on an event's state.
    ///
    /// `read` reads and validates what the command needs (throwing `StorageError` when it cannot be
    /// served); `write` applies it under `WHERE version = ?` and returns nil when `changes()` says the
    /// version moved. Then the command reads again and retries, at most `guardedWriteAttempts` times.
    /// Both run inside the writer's IMMEDIATE transaction, where no other connection can commit, so in
    /// practice the first try wins; the guard is what keeps a second process or a repair tool from ever
    /// being overwritten. No sleeps: a retry re-reads at once.
    ///
    /// - Returns: the write's result and the number of tries it took (1 = no race lost).
    func withVersionGuard<Snapshot, Result>(
        _ db: Database,
        read: (Database) throws -> Snapshot,
        write: (Database, Snapshot) throws -> Result?
    ) throws -> (result: Result, attempts: Int) {
        for attempt in 1...Self.guardedWriteAttempts {
            let snapshot = try read(db)
            try beforeGuardedWrite?(db)
            if let result = try write(db, snapshot) { return (result, attempt) }
            logger.debug("version guard lost a race, retrying", metadata: ["attempt": "\(attempt)"])
        }
        throw StorageError.storageUnavailable(reason: "the event kept changing under its version guard")
    }
}
