import CoreMetrics
import Foundation
import GRDB
import Synchronization

/// The one writer of everything that changes seats, with group commit.
///
/// Callers queue commands. A drain loop takes what is queued (at most `maxBatchSize`) and runs it in one
/// IMMEDIATE transaction: each command in its own SAVEPOINT, so a refusal (sold out, not bookable, a
/// reused idempotency key, a constraint) rolls back that command alone. The batch commits once, which is
/// one fsync for all of it, and only then is any caller answered. When the batch cannot commit (the disk
/// is full, the file cannot be written, a lock is held too long), every caller in it gets
/// `StorageError.storageFull` or `.storageUnavailable` and nothing of it is stored.
///
/// Nothing waits for a batch to fill: while one batch commits, the next one queues, so a lone request is
/// served at once and a rush shares fsyncs. Commands are plain functions of the database: no caller's
/// closure runs inside the transaction.
final class BookingWriter: Sendable {
    /// How to answer a command's caller once its batch has committed (nil) or failed (the error).
    typealias Completion = @Sendable (_ batchFailure: StorageError?) -> Void

    private struct Pending: Sendable {
        /// Runs the command in its savepoint. Throws only what must fail the whole batch.
        let execute: @Sendable (Database) throws -> Completion
        /// Answers the caller when its batch failed, whether or not the command had run in it.
        let fail: @Sendable (StorageError) -> Void
    }

    private struct State {
        var queue: [Pending] = []
        var draining = false
        var batches = 0
    }

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
    /// A `StorageError` or constraint violation thrown by `command` rolls back its savepoint and reaches
    /// this caller only; any other database error fails the batch.
    func submit<T: Sendable>(_ command: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let pending = Pending(
                execute: { db in
                    let result: Result<T, any Error>
                    do {
                        result = .success(try Self.inSavepoint(db) { try command(db) })
                    } catch let error as DatabaseError where !Self.isCommandScoped(error) {
                        throw error
                    } catch {
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
                var completions: [Completion] = []
                completions.reserveCapacity(batch.count)
                try db.inTransaction(.immediate) {
                    for pending in batch {
                        completions.append(try pending.execute(db))
                    }
                    try beforeCommit?(db)
                    return .commit
                }
                return completions
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
