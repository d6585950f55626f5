import Foundation
import GRDB
import Testing
@testable import Storage

@Suite struct SchemaTests {
    /// `schema.sql` at the repository root, found from this file's path.
    static let schemaFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("schema.sql")

    /// Every table and index with its SQL, whitespace folded (also what ALTER TABLE ADD COLUMN leaves before its
    /// comma), internal tables left out.
    static func schema(of writer: some DatabaseWriter) throws -> [String: String] {
        try writer.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations' AND sql IS NOT NULL")
            var result: [String: String] = [:]
            for row in rows {
                let sql: String = row["sql"]
                result["\(row["type"] as String) \(row["name"] as String)"] = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
                    .replacingOccurrences(of: "( ", with: "(").replacingOccurrences(of: " )", with: ")")
                    .replacingOccurrences(of: " ,", with: ",")
            }
            return result
        }
    }

    @Test func migratedSchemaIsExactlySchemaSQL() async throws {
        let reference = try DatabaseQueue()
        try await reference.write { db in try db.execute(sql: String(contentsOf: Self.schemaFile, encoding: .utf8)) }
        try await TestDatabase.with { test in
            let migrated = try Self.schema(of: test.database.pool)
            let expected = try Self.schema(of: reference)
            #expect(migrated.keys.sorted() == expected.keys.sorted())
            for (name, sql) in expected {
                #expect(migrated[name] == sql, "\(name) differs from schema.sql")
            }
            #expect(migrated.count == 35, "14 tables, 14 indexes, 5 triggers and 2 views")
        }
    }

    @Test func openedDatabaseIsWALWithFullSyncAndForeignKeys() async throws {
        try await TestDatabase.with { test in
            let pragmas = try await test.database.pragmas()
            #expect(pragmas.journalMode == "wal")
            #expect(pragmas.synchronous == 2, "FULL is 2: a confirmed booking survives a power loss")
            #expect(pragmas.foreignKeys)
            #expect(pragmas.walAutocheckpoint == 4_000, "the writer checkpoints every 16 MiB of WAL, not SQLite's 4 MiB")
        }
    }

    @Test func checkConstraintMakesAnOversoldEventUnrepresentable() async throws {
        try await TestDatabase.with { test in
            let organizer = try await test.user("o@example.com", role: .organizer)
            let event = try await test.publishedEvent(seats: 2, organizer: organizer)
            await #expect(throws: DatabaseError.self) {
                try await test.database.pool.write { db in
                    try db.execute(sql: "UPDATE events SET available_seats = -1 WHERE id = ?", arguments: [event.id])
                }
            }
            await #expect(throws: DatabaseError.self) {
                try await test.database.pool.write { db in
                    try db.execute(sql: "UPDATE events SET available_seats = 3 WHERE id = ?", arguments: [event.id])
                }
            }
        }
    }

    /// A booking inserts into the bookings, the outbox and the seat ledger and updates its event, and its delivery
    /// updates the outbox: SQLite must check none of those rows by building a temporary b-tree, as it does for a
    /// CHECK's IN list of three or more values (one page cache allocated and freed per row, on the one writer).
    @Test func rowsABookingWritesAreCheckedWithoutATemporaryBTree() async throws {
        let statements = [
            "INSERT INTO bookings (booking_reference, event_id, user_id, seat_count, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            "UPDATE events SET available_seats = available_seats - ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
            "INSERT INTO outbox (kind, booking_id, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, 0, ?, ?)",
            "UPDATE outbox SET status = ?, sent_at = ?, attempts = attempts + 1 WHERE id = ?",
            """
            INSERT INTO seat_ledger (event_id, delta, reason, available_after, version, booking_reference, actor_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
        ]
        try await TestDatabase.with { test in
            let temporaryBTrees = try await test.database.pool.read { db in
                try statements.map { sql in
                    let nulls = StatementArguments(Array(repeating: DatabaseValue.null, count: sql.filter { $0 == "?" }.count))
                    return try String.fetchAll(db, sql: "EXPLAIN \(sql)", arguments: nulls).count { $0 == "OpenEphemeral" }
                }
            }
            #expect(temporaryBTrees == [0, 0, 0, 0, 0])
        }
    }

    /// The outbox's and the ledger's CHECKs, written as comparisons, refuse what the IN lists refused.
    @Test func outboxAndLedgerStillRefuseAnUnknownKindStatusOrReason() async throws {
        try await TestDatabase.with { test in
            let (_, user, event) = try await test.organizerUserAndEvent(seats: 5)
            let booking = try #require(try await test.database.createBooking(eventId: event.id!, seatCount: 1, userId: user.id!).details)
            let refused = [
                "INSERT INTO outbox (kind, booking_id, next_attempt_at, created_at) VALUES ('booking-lost', \(booking.booking.id!), 'x', 'x')",
                "UPDATE outbox SET status = 'DONE'",
                "INSERT INTO seat_ledger (event_id, delta, reason, available_after, version, created_at) VALUES (\(event.id!), 0, 'LOST', 0, 1, 'x')",
            ]
            for sql in refused {
                await #expect(throws: DatabaseError.self, "\(sql)") {
                    try await test.database.pool.write { db in try db.execute(sql: sql) }
                }
            }
            try await test.database.pool.write { db in
                try db.execute(sql: "UPDATE outbox SET status = 'SENT'")
                try db.execute(sql: "INSERT INTO outbox (kind, booking_id, next_attempt_at, created_at) VALUES ('hold-expired', ?, 'x', 'x')", arguments: [booking.booking.id])
            }
        }
    }

    /// v8 rebuilds the outbox and the seat ledger: their rows and ids stay, a new row never takes the id of one the
    /// purge deleted, and the ledger is still append-only.
    @Test func rebuildingTheOutboxAndLedgerKeepsRowsIdsAndTriggers() async throws {
        try await TestDatabase.upgraded(
            from: "v7-partial-outbox-indexes",
            rows: """
            INSERT INTO users (email, firstname, lastname, password_hash, country, role, created_at, updated_at)
            VALUES ('o@example.com', 'O', 'O', 'x', 'DE', 'ORGANIZER', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
            INSERT INTO events (title, total_seats, available_seats, status, organizer_id, version, created_at, updated_at)
            VALUES ('Old', 10, 9, 'PUBLISHED', 1, 2, '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
            INSERT INTO bookings (booking_reference, event_id, user_id, seat_count, status, created_at, updated_at)
            VALUES ('00000000-0000-7000-8000-000000000001', 1, 1, 1, 'CONFIRMED', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000');
            INSERT INTO outbox (id, kind, booking_id, status, next_attempt_at, created_at, sent_at)
            VALUES (5, 'booking-confirmed', 1, 'SENT', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000', '2026-01-01 00:00:01.000'),
                   (6, 'booking-confirmed', 1, 'PENDING', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000', NULL),
                   (7, 'booking-confirmed', 1, 'SENT', '2026-01-01 00:00:00.000', '2026-01-01 00:00:00.000', '2026-01-01 00:00:01.000');
            DELETE FROM outbox WHERE id = 7;
            INSERT INTO seat_ledger (event_id, delta, reason, available_after, version, booking_reference, actor_id, created_at)
            VALUES (1, 10, 'EVENT_CREATED', 10, 1, NULL, 1, '2026-01-01 00:00:00.000'),
                   (1, -1, 'BOOKED', 9, 2, '00000000-0000-7000-8000-000000000001', 1, '2026-01-01 00:00:00.000');
            """
        ) { database in
            try await database.pool.write { db in
                let outbox = try Row.fetchAll(db, sql: "SELECT id, status FROM outbox ORDER BY id").map { "\($0["id"] as Int64) \($0["status"] as String)" }
                #expect(outbox == ["5 SENT", "6 PENDING"])
                #expect(try String.fetchAll(db, sql: "SELECT reason FROM seat_ledger ORDER BY id") == ["EVENT_CREATED", "BOOKED"])
                try db.execute(sql: "INSERT INTO outbox (kind, booking_id, next_attempt_at, created_at) VALUES ('booking-cancelled', 1, '2026-01-01 00:00:00.000', 'x')")
                #expect(db.lastInsertedRowID == 8, "7 was handed out before the purge deleted it")
                #expect(try String.fetchAll(db, sql: "SELECT name FROM sqlite_sequence ORDER BY name").filter { $0.hasPrefix("old_") }.isEmpty)
            }
            await #expect(throws: DatabaseError.self) {
                try await database.pool.write { db in try db.execute(sql: "DELETE FROM seat_ledger") }
            }
            #expect(try await database.dueOutboxMessages(now: Date()).map(\.id) == [6, 8])
            #expect(try await database.checkIntegrity().isHealthy)
        }
    }

    @Test func duplicateEmailIsRefusedByTheUniqueConstraint() async throws {
        try await TestDatabase.with { test in
            _ = try await test.user("same@example.com")
            await #expect(throws: StorageError.emailInUse) { _ = try await test.user("SAME@example.com") }
        }
    }
}
