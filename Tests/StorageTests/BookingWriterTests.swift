import Foundation
import GRDB
import MetricsTestKit
import Synchronization
import Testing
@testable import Storage

/// The group-commit writer: several commands in one transaction, each in its own savepoint.
@Suite struct BookingWriterTests {
    /// Holds GRDB's writer connection until `release()`, so that commands pile up in the writer's queue.
    final class WriterGate: Sendable {
        private let gate = DispatchSemaphore(value: 0)
        private let task: Task<Void, any Error>

        init(_ database: AppDatabase) async throws {
            let gate = self.gate
            let entered = Counter()
            task = Task { try await database.pool.writeWithoutTransaction { _ in _ = entered.next(); gate.wait() } }
            try await BookingWriterTests.until { entered.value > 0 }
        }

        func release() async throws {
            gate.signal()
            try await task.value
        }
    }

    /// `eventbooking_writer_batches_run_again_total` as the writer reported it.
    static func batchesRunAgain(_ metrics: TestMetrics) throws -> Int64 {
        try metrics.expectCounter(WriterMetricsLabels.batchesRunAgain).totalValue
    }

    /// Polls `condition` every millisecond, for at most 10 s.
    static func until(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Queues one booking per entry of `seats`, in that order, all in one batch (after the first, which
    /// takes a batch of its own while the gate holds the writer); returns each one's result in order.
    static func batch(_ test: TestDatabase, event: Event, user: User, seats: [Int]) async throws -> [Result<BookingOutcome, any Error>] {
        try await batch(test, user: user, bookings: seats.map { (event, $0) })
    }

    /// `batch(_:event:user:seats:)` with each booking's own event.
    static func batch(_ test: TestDatabase, user: User, bookings: [(event: Event, seats: Int)]) async throws -> [Result<BookingOutcome, any Error>] {
        let database = test.database
        let gate = try await WriterGate(database)
        let batchesBefore = database.writer.batchCount
        var tasks: [Task<BookingOutcome, any Error>] = []
        for (index, (event, count)) in bookings.enumerated() {
            tasks.append(Task { try await database.createBooking(eventId: event.id!, seatCount: count, userId: user.id!) })
            // The first command is taken at once and waits at the gate; each later one waits in the queue.
            if index == 0 {
                try await until { database.writer.batchCount == batchesBefore + 1 }
            } else {
                try await until { database.writer.queuedCount == index }
            }
        }
        try await gate.release()
        var results: [Result<BookingOutcome, any Error>] = []
        for task in tasks { results.append(await task.result) }
        #expect(database.writer.batchCount == batchesBefore + 2, "the first command alone, then the rest together")
        return results
    }

    @Test func refusedCommandRollsBackAloneAndTheRestOfItsBatchCommits() async throws {
        let metrics = TestMetrics()
        try await TestDatabase.with(metrics: metrics) { test in
            let (_, user, event) = try await test.organizerUserAndEvent(seats: 4)
            // 1 alone; then 1 (2 left), 3 refused (only 2 left), 2 (0 left) in one batch.
            let results = try await Self.batch(test, event: event, user: user, seats: [1, 1, 3, 2])
            #expect(results.map { (try? $0.get())?.details?.booking.seatCount } == [1, 1, nil, 2])
            #expect(throws: StorageError.seatsUnavailable(requested: 3, available: 2)) { try results[2].get() }
            #expect(try await test.event(event.id!).availableSeats == 0)
            let bookings = try await test.database.pool.read { db in try Booking.fetchCount(db) }
            #expect(bookings == 3, "the refused command left no booking")
            #expect(try Self.batchesRunAgain(metrics) == 0, "a refusal before any write needs no savepoint")
            #expect(try await test.database.checkIntegrity().isHealthy)
        }
    }

    /// A command that refuses after it wrote (here: its version guard loses every try, each after a rival
    /// write to its event) cannot be taken back alone without a savepoint: the batch runs again, each command
    /// in its own, and commits the others' bookings and nothing of the refused one.
    @Test func aCommandRefusedAfterWritingRunsItsBatchAgainWithSavepoints() async throws {
        let metrics = TestMetrics()
        try await TestDatabase.with(metrics: metrics) { test in
            let (organizer, user, open) = try await test.organizerUserAndEvent(seats: 10)
            let contested = try await test.publishedEvent(seats: 10, organizer: organizer)
            let database = test.database
            let ledger = { try await database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM seat_ledger WHERE event_id = ?", arguments: [contested.id]) } }
            let ledgerBefore = try await ledger()
            test.database.beforeGuardedWrite = { db in
                try db.execute(sql: "UPDATE events SET version = version + 1 WHERE id = ?", arguments: [contested.id])
            }
            let results = try await Self.batch(test, user: user, bookings: [(open, 1), (open, 2), (contested, 1), (open, 3)])
            #expect(results.map { (try? $0.get())?.details?.booking.seatCount } == [1, 2, nil, 3])
            if case .failure(let error) = results[2], case .storageUnavailable = error as? StorageError {
            } else {
                Issue.record("expected the contested booking to give up, got \(results[2])")
            }
            #expect(try Self.batchesRunAgain(metrics) == 1, "counted for operators")
            #expect(try await test.event(open.id!).availableSeats == 4)
            #expect(try await test.event(contested.id!).availableSeats == 10)
            // Each of the three bookings' guarded writes bumped the contested event once; the refused command's
            // own three bumps (one before each of its tries) were taken back with it.
            #expect(try await test.event(contested.id!).version == contested.version + 3)
            let rows = try await test.database.pool.read { db in
                (bookings: try Booking.filter(Column("event_id") == contested.id).fetchCount(db),
                 mails: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? -1)
            }
            let ledgerAfter = try await ledger()
            #expect(rows.bookings == 0 && ledgerAfter == ledgerBefore, "nothing of the refused booking was kept")
            #expect(rows.mails == 3, "one confirmation for each of the three bookings")
            #expect(try await test.database.checkIntegrity().isHealthy)
        }
    }

    @Test func deliveredMailIsMarkedInTheBatchOfTheBookingsQueuedWithIt() async throws {
        try await TestDatabase.with { test in
            let database = test.database
            let (_, user, event) = try await test.organizerUserAndEvent(seats: 10)
            _ = try await database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!)
            let sent = try await database.dueOutboxMessages()
            #expect(sent.count == 1)

            let gate = try await WriterGate(database)
            let batchesBefore = database.writer.batchCount
            let first = Task { try await database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!) }
            try await Self.until { database.writer.batchCount == batchesBefore + 1 }
            let second = Task { try await database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!) }
            try await Self.until { database.writer.queuedCount == 1 }
            let mark = Task { try await database.markOutboxSent(ids: sent.map(\.id)) }
            // The gate opens even when the mark never reaches the writer's queue, so that the test fails, not hangs.
            var notQueued: (any Error)?
            do { try await Self.until { database.writer.queuedCount == 2 } } catch { notQueued = error }
            try await gate.release()
            if let notQueued { throw notQueued }
            _ = try await (first.value, second.value, mark.value)

            #expect(database.writer.batchCount == batchesBefore + 2, "the mark took no commit of its own")
            let status = try await database.pool.read { db in try String.fetchOne(db, sql: "SELECT status FROM outbox WHERE id = ?", arguments: [sent[0].id]) }
            #expect(status == "SENT")
            #expect(try await database.dueOutboxMessages().count == 2, "the two new bookings' mails wait")
        }
    }

    @Test func failedCommitAnswersEveryCallerInTheBatchWithAnErrorAndStoresNothing() async throws {
        let failCommits = Mutex(false)
        try await TestDatabase.with(beforeCommit: { db in
            guard failCommits.withLock({ $0 }) else { return }
            // A foreign key checked at COMMIT that fails there: the commit itself is refused by SQLite.
            try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
            try db.execute(
                sql: "INSERT INTO idempotency_keys (user_id, key, request_hash, booking_id, created_at) VALUES (1, 'x', 'h', 999999, '2026-01-01')")
        }) { test in
            let (_, user, event) = try await test.organizerUserAndEvent(seats: 10)
            failCommits.withLock { $0 = true }
            let results = try await Self.batch(test, event: event, user: user, seats: [1, 2, 3])
            for result in results {
                #expect(throws: StorageError.self) { try result.get() }
                if case .failure(let error) = result, case .storageUnavailable = error as? StorageError {
                } else {
                    Issue.record("expected storageUnavailable, got \(result)")
                }
            }
            #expect(try await test.event(event.id!).availableSeats == 10)
            let rows = try await test.database.pool.read { db in
                (bookings: try Booking.fetchCount(db), outbox: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? -1)
            }
            #expect(rows.bookings == 0 && rows.outbox == 0, "nothing of the failed batch was kept")

            failCommits.withLock { $0 = false }
            let recovered = try await test.database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!)
            #expect(recovered.details != nil, "the next batch commits")
            #expect(try await test.database.checkIntegrity().isHealthy)
        }
    }

    /// SQLite's temporary files the process has open: they are unlinked at once, so their names end in
    /// " (deleted)", and SQLite names them `etilqs_…`.
    static func openTemporaryFiles() -> Int {
        let folder = "/proc/self/fd"
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return descriptors.count { descriptor in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(folder)/\(descriptor)"))?.contains("/etilqs_") == true
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/fd"), "counts open files in /proc"))
    func aBatchKeepsItsSubJournalInMemory() async throws {
        let mostTemporaryFiles = Mutex(0)
        try await TestDatabase.with(beforeCommit: { _ in
            let open = Self.openTemporaryFiles()
            mostTemporaryFiles.withLock { $0 = max($0, open) }
        }) { test in
            let database = test.database
            let (_, user, event) = try await test.organizerUserAndEvent(seats: 1_000)
            _ = try await database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!)
            // 3,000 more copies of its confirmation mail, all due.
            let delivered = try await database.pool.write { db in
                try db.execute(sql: """
                    WITH RECURSIVE copies(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM copies WHERE n < 3000)
                    INSERT INTO outbox (kind, booking_id, status, attempts, next_attempt_at, created_at)
                    SELECT kind, booking_id, status, attempts, next_attempt_at, created_at FROM outbox, copies
                    """)
                return try Int64.fetchAll(db, sql: "SELECT id FROM outbox")
            }

            // A batch whose sub-journal passes the 64 KB SQLite keeps in memory unless told to keep it all: a
            // delivery round's mark of all those mails (its statement journal, which a statement that may fail
            // halfway keeps, as a savepoint keeps its own), then the next bookings. (In a rush, batches of 20
            // bookings in savepoints passed it about once in four; a mark this big always does. Without
            // `temp_store = MEMORY` this test fails.)
            let gate = try await WriterGate(database)
            let batchesBefore = database.writer.batchCount
            let first = Task { try await database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!) }
            try await Self.until { database.writer.batchCount == batchesBefore + 1 }
            let mark = Task { try await database.markOutboxSent(ids: delivered) }
            try await Self.until { database.writer.queuedCount == 1 }
            let bookings = (0..<5).map { _ in Task { try await database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!) } }
            try await Self.until { database.writer.queuedCount == 6 }
            try await gate.release()
            _ = try await (first.value, mark.value)
            for booking in bookings { _ = try await booking.value }

            #expect(database.writer.batchCount == batchesBefore + 2, "the mark and the bookings shared a batch")
            #expect(mostTemporaryFiles.withLock { $0 } == 0, "a batch wrote its savepoints' journal to a temporary file")
            let pending = try await database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE status = 'PENDING'") }
            #expect(pending == 6, "every marked mail is sent; the six new bookings' mails wait")
        }
    }

    @Test func concurrentBookingsAndCancellationsKeepTheInvariant() async throws {
        try await TestDatabase.with { test in
            let (organizer, user, event) = try await test.organizerUserAndEvent(seats: 300)
            let database = test.database
            var references: [String] = []
            for _ in 0..<40 {
                references.append(try #require(try await database.createBooking(eventId: event.id!, seatCount: 2, userId: user.id!).details).booking.bookingReference)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for reference in references {
                    group.addTask { _ = try await database.cancelBooking(reference: reference, userId: user.id!) }
                }
                for _ in 0..<100 {
                    group.addTask { _ = try await database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!) }
                }
                group.addTask { _ = try await database.updateEvent(id: event.id!, changes: EventChanges(totalSeats: 320), actorId: organizer.id!) }
                try await group.waitForAll()
            }
            let after = try await test.event(event.id!)
            #expect(after.totalSeats == 320 && after.availableSeats == 320 - 100)
            #expect(try await test.database.checkIntegrity().isHealthy)
        }
    }
}
