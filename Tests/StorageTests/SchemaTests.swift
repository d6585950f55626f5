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
            #expect(migrated.count == 32, "11 tables, 16 indexes and 5 triggers")
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

    @Test func duplicateEmailIsRefusedByTheUniqueConstraint() async throws {
        try await TestDatabase.with { test in
            _ = try await test.user("same@example.com")
            await #expect(throws: StorageError.emailInUse) { _ = try await test.user("SAME@example.com") }
        }
    }
}
