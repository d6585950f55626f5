import CoreMetrics
import Foundation
import GRDB
import Synchronization

/// The one writer of everything that changes seats, with group commit.
///
/// Callers queue commands. A drain loop takes what is queued (at most `maxBatchSize`) and runs it in one
/// IMMEDIATE transaction, where a refusal (sold out, not bookable, a reused idempotency key, a constraint)
/// rolls back that command alone. The batch commits once, which is one fsync for all of it, and only then
/// is any caller answered. When the batch cannot commit (the disk is full, the file cannot be written, a
/// lock is held too long), every caller in it gets `StorageError.storageFull` or `.storageUnavailable` and
/// nothing of it is stored.
///
/// Savepoints only where a refusal needs one. A savepoint copies every page its command changes into its
/// journal (4 KB each, about ten a booking): 13 of the 58 µs of SQLite's CPU a booking in `make bench-floor`,
/// on the one thread that sets a rush's pace. But nearly every refusal comes before its command writes
/// anything (the event is sold out, not bookable, in the past; the key was used), and SQLite takes back a
/// statement that fails on its own. So a batch first runs its commands one after the other without
/// savepoints. Should a command throw after one of its statements changed rows (SQLite's `total_changes`
/// moved: a cancellation that finds its booking changed, a refused booking that first expired lapsed
/// holds), what it wrote cannot be taken back alone: the transaction is rolled back and the batch runs
/// again, each command in its own SAVEPOINT. Either way the batch commits exactly what its successful
/// commands wrote.
///
/// After its commands, a batch also copies the bookings and ledger entries not yet in the by-event tables
/// into them, once enough wait (`AppDatabase.settleByEventTables`).
///
/// Nothing waits for a batch to fill: while one batch commits, the next one queues, so a lone request is
/// served at once and a rush shares fsyncs. Commands are plain functions of the database: no caller's
/// closure runs inside the transaction.
final class BookingWriter: Sendable {
    /// How to answer a command's caller once its batch has committed (nil) or failed (the error).
    typealias Completion = @Sendable (_ batchFailure: StorageError?) -> Void

    private struct Pending: Sendable {
        /// Runs the command, in a savepoint of its own or not. Throws what must fail the whole batch, and
        /// `RefusedAfterWriting` when, without a savepoint, it threw after changing rows.
        let execute: @Sendable (Database, _ inSavepoint: Bool) throws -> Completion
        /// Answers the caller when its batch failed, whether or not the command had run in it.
        let fail: @Sendable (StorageError) -> Void
    }

    private struct State {
        var queue: [Pending] = []
        var draining = false
        var batches = 0
    }

    /// A command without a savepoint threw after it had changed rows: its batch must run again with savepoints.
    private struct RefusedAfterWriting: Error {}

    private let connections: DatabaseConnections
    private let metrics: WriterMetrics
    private let state = Mutex(State())
    /// Where batches run, one after the other. It blocks on SQLite (the commit's fsync), which a thread of
    /// the cooperative pool must never do.
    private let drainQueue = DispatchQueue(label: "event-booking.booking-writer", qos: .userInitiated)
    let maxBatchSize: Int
    /// Runs after the batch's commands, before its commit; tests use it to make a commit fail.
    let beforeCommit: (@Sendable (Database) throws -> Void)?

    init(
        connections: DatabaseConnections, metrics: WriterMetrics, maxBatchSize: Int = 256,
        beforeCommit: (@Sendable (Database) throws -> Void)? = nil
    ) {
        self.connections = connections
        self.metrics = metrics
        self.maxBatchSize = max(1, maxBatchSize)
        self.beforeCommit = beforeCommit
    }

    /// Runs `command` in the next batch and returns its result once that batch has committed.
    ///
    /// A `StorageError` or constraint violation thrown by `command` takes back what it wrote and reaches this
    /// caller only; any other database error fails the batch. `command` may run more than once (see the type);
    /// only the run that commits counts.
    func submit<T: Sendable>(_ command: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let pending = Pending(
                execute: { db, inSavepoint in
                    let result: Result<T, any Error>
                    let changesBefore = db.totalChangesCount
                    do {
                        result = .success(inSavepoint ? try Self.inSavepoint(db) { try command(db) } : try command(db))
                    } catch let error as DatabaseError where !Self.isCommandScoped(error) {
                        throw error
                    } catch {
                        if !inSavepoint && db.totalChangesCount != changesBefore { throw RefusedAfterWriting() }
                        result = .failure(error)
                    }
                    return { batchFailure in continuation.resume(with: batchFailure.map { .failure($0) } ?? result) }
                },
                fail: { continuation.resume(throwing: $0) })
            let startDrain = state.withLock { state in
                state.queue.append(pending)
                defer { state.draining = true }
                return !state.draining
            }
            if startDrain {
                drainQueue.async { self.drain() }
            }
        }
    }

    /// Commands waiting for the next batch.
    var queuedCount: Int { state.withLock { $0.queue.count } }
    /// Batches taken from the queue so far (committed, failed or running).
    var batchCount: Int { state.withLock { $0.batches } }

    /// Runs batches until the queue is empty, on `drainQueue`: the next batch starts the moment the last one
    /// committed, without waiting for a turn on the cooperative thread pool, which the requests keep busy.
    private func drain() {
        while true {
            let batch = state.withLock { state -> [Pending] in
                let batch = Array(state.queue.prefix(maxBatchSize))
                state.queue.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false } else { state.batches += 1 }
                return batch
            }
            if batch.isEmpty { return }
            run(batch)
        }
    }

    private func run(_ batch: [Pending]) {
        let beforeCommit = self.beforeCommit
        let started = ContinuousClock.now
        do {
            let completions = try connections.writablePool().writeWithoutTransaction { db -> [Completion] in
                do {
                    return try Self.transaction(batch, inSavepoints: false, beforeCommit: beforeCommit, db)
                } catch is RefusedAfterWriting {
                    // The transaction was rolled back: nothing of the first run is left.
                    metrics.batchesRunAgain.increment()
                    return try Self.transaction(batch, inSavepoints: true, beforeCommit: beforeCommit, db)
                }
            }
            connections.writeSucceeded()
            metrics.batchSize.record(batch.count)
            let elapsed = (ContinuousClock.now - started).components
            metrics.commitDuration.recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
            for completion in completions { completion(nil) }
        } catch {
            connections.writeFailed(error)
            let failure = StorageError(writeFailure: error)
            for pending in batch { pending.fail(failure) }
        }
    }

    /// Runs `batch` in one IMMEDIATE transaction and commits it; each command in a savepoint of its own or not.
    private static func transaction(
        _ batch: [Pending], inSavepoints: Bool, beforeCommit: (@Sendable (Database) throws -> Void)?, _ db: Database
    ) throws -> [Completion] {
        var completions: [Completion] = []
        completions.reserveCapacity(batch.count)
        try db.inTransaction(.immediate) {
            for pending in batch {
                completions.append(try pending.execute(db, inSavepoints))
            }
            // In the same commit: no fsync of its own, and only now and then any work (see AppDatabase+ByEvent).
            try AppDatabase.settleByEventTables(db)
            try beforeCommit?(db)
            return .commit
        }
        return completions
    }

    /// Runs `body` in a savepoint of the batch's transaction, rolled back when it throws. Unlike GRDB's
    /// `inSavepoint`, which compiles its three statements for every use, it keeps them prepared and runs them
    /// directly (`executeDirectly`): a batch runs two of them per command. A savepoint that cannot be rolled
    /// back fails the batch.
    private static func inSavepoint<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.executeDirectly("SAVEPOINT command")
        let value: T
        do {
            value = try body()
        } catch {
            try db.executeDirectly("ROLLBACK TO SAVEPOINT command")
            try db.executeDirectly("RELEASE SAVEPOINT command")
            throw error
        }
        try db.executeDirectly("RELEASE SAVEPOINT command")
        return value
    }

    /// A constraint violation belongs to the command that caused it; any other SQLite error (a full disk,
    /// an I/O error, a lost lock) means the transaction itself is in doubt.
    private static func isCommandScoped(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_CONSTRAINT
    }
}
