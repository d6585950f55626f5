import Foundation
import GRDB
import Logging

extension AppDatabase {
    /// Optimistic concurrency for every write that depends on an event's state.
    ///
    /// `read` takes a snapshot from a reader connection without blocking writers and validates it
    /// (throwing `StorageError` when the request cannot be served). `write` then applies it in a write
    /// transaction under `WHERE version = ?`, and returns nil when `changes()` says another writer
    /// got there first. A lost race re-reads after a jittered, growing backoff. After
    /// `optimisticAttempts` lost races one final try runs `read` and `write` inside the same
    /// IMMEDIATE transaction, where nothing can commit in between: a request never spins and never
    /// surfaces a lost race to its caller.
    ///
    /// - Returns: the write's result and the number of tries it took (1 = no race lost).
    func withVersionGuard<Snapshot: Sendable, Result: Sendable>(
        read: @escaping @Sendable (Database) throws -> Snapshot,
        write: @escaping @Sendable (Database, Snapshot) throws -> Result?
    ) async throws -> (result: Result, attempts: Int) {
        for attempt in 1...optimisticAttempts {
            let snapshot = try await dbWriter.read(read)
            try await beforeGuardedWrite?()
            if let result = try await dbWriter.write({ db in try write(db, snapshot) }) {
                return (result, attempt)
            }
            logger.debug("version guard lost a race, retrying", metadata: ["attempt": "\(attempt)"])
            try await Task.sleep(for: Self.backoff(afterAttempt: attempt))
        }
        let result = try await dbWriter.write { db in
            guard let result = try write(db, try read(db)) else {
                // Unreachable: the snapshot was read inside this same write transaction.
                throw DatabaseError(resultCode: .SQLITE_INTERNAL, message: "version guard lost inside its own transaction")
            }
            return result
        }
        return (result, optimisticAttempts + 1)
    }

    /// Full jitter over an exponential ceiling: 0...2^attempt ms, at most 64 ms.
    static func backoff(afterAttempt attempt: Int) -> Duration {
        let ceiling = 1 << min(attempt, 6)
        return .microseconds(Int.random(in: 0...(ceiling * 1000)))
    }
}
