import Foundation
import GRDB
import GRDBSQLite

/// The columns of the row a statement is on, read by index from SQLite itself (`sqlite3_column_*`).
///
/// For the reads that run for every booking: a GRDB `Row` first maps every column's lowercased name to its index,
/// for each run of the statement, and reads dates through `Calendar`; for a small row that costs more than
/// SQLite's own work. Each read is nil for NULL; `integer`, `bytes` and `date` also for a value of another type.
struct SQLiteColumns {
    let statement: SQLiteStatement

    func isNull(_ index: CInt) -> Bool {
        sqlite3_column_type(statement, index) == SQLITE_NULL
    }

    func text(_ index: CInt) -> String? {
        isNull(index) ? nil : String(sqliteStatement: statement, index: index)
    }

    func integer(_ index: CInt) -> Int? {
        sqlite3_column_type(statement, index) == SQLITE_INTEGER ? Int(sqlite3_column_int64(statement, index)) : nil
    }

    func int64(_ index: CInt) -> Int64? {
        integer(index).map(Int64.init)
    }

    func bytes(_ index: CInt) -> [UInt8]? {
        guard sqlite3_column_type(statement, index) == SQLITE_BLOB else { return nil }
        let count = Int(sqlite3_column_bytes(statement, index))
        guard count > 0, let start = sqlite3_column_blob(statement, index) else { return [] }
        return Array(UnsafeRawBufferPointer(start: start, count: count))
    }

    /// A stored timestamp: the form `DatabaseTimestamp.string` writes by arithmetic, any other through GRDB.
    func date(_ index: CInt) -> Date? {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_NULL: return nil
        case SQLITE_TEXT:
            if let text = sqlite3_column_text(statement, index),
                let date = DatabaseTimestamp.date(UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, index))))
            {
                return date
            }
            return Date(sqliteStatement: statement, index: index)
        default: return Date(sqliteStatement: statement, index: index)
        }
    }

    /// A nullable date column: `.some(nil)` for NULL, nil for a value that is no date.
    func optionalDate(_ index: CInt) -> Date?? {
        isNull(index) ? .some(nil) : date(index).map { .some($0) }
    }
}
