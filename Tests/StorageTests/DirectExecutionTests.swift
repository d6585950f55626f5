import Foundation
import GRDB
import Testing
@testable import Storage

@Suite struct DirectExecutionTests {
    /// What the writer's statements need from `executeDirectly`: values and NULLs bound in order, a constraint
    /// reported as GRDB reports it (the writer rolls back that command alone on it), the statement usable
    /// again after an error, and no write at all outside a transaction.
    @Test func bindsInOrderReportsConstraintsAndNeverWritesOutsideATransaction() throws {
        let queue = try DatabaseQueue()
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, note TEXT)")
            let insert = "INSERT INTO t (id, name, note) VALUES (?, ?, ?)"

            let outside = #expect(throws: DatabaseError.self) { try db.executeDirectly(insert, .integer(1), .text("a"), .null) }
            #expect(outside?.resultCode == .SQLITE_ABORT)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t") == 0)

            try db.inTransaction {
                try db.executeDirectly(insert, .integer(1), .text("first"), .text(nil as String?))
                let duplicate = #expect(throws: DatabaseError.self) {
                    try db.executeDirectly(insert, .integer(2), .text("first"), .text("again"))
                }
                #expect(duplicate?.resultCode == .SQLITE_CONSTRAINT)
                try db.executeDirectly(insert, .integer(3), .text("third"), .text("noted"))
                return .commit
            }
            let rows = try Row.fetchAll(db, sql: "SELECT id, name, note FROM t ORDER BY id")
            #expect(rows == [["id": 1, "name": "first", "note": nil], ["id": 3, "name": "third", "note": "noted"]])
        }
    }
}
