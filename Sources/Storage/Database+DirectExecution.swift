import GRDB
import GRDBSQLite

/// A value `executeDirectly` binds.
enum DirectValue {
    case integer(Int64)
    case text(String)
    case null

    static func integer(_ value: Int) -> DirectValue { .integer(Int64(value)) }
    static func text(_ value: String?) -> DirectValue { value.map { .text($0) } ?? .null }
    static func integer(_ value: Int64?) -> DirectValue { value.map { .integer($0) } ?? .null }
}

extension Database {
    /// Runs `sql`, kept prepared, with `values` bound by position, through SQLite's C API rather than
    /// `Statement.execute(arguments:)`; its errors are the same `DatabaseError`s.
    ///
    /// For the booking writer's statements, four to a booking (the guarded UPDATE, three INSERTs), and the
    /// savepoint's two when a batch runs again: GRDB's arguments (an array of existentials, turned into an array of `DatabaseValue`s, checked
    /// against the statement, then bound) and its bookkeeping around each step cost 5 % of a rush's CPU, more
    /// than SQLite's own work for the smaller statements. What the bookkeeping is for does not apply here:
    /// nothing observes these statements (the service registers no `TransactionObserver`), and a statement never
    /// runs outside the batch's transaction (checked below, as GRDB checks that a transaction was not rolled back
    /// under it: a write after that would commit on its own).
    func executeDirectly(_ sql: String, _ values: DirectValue...) throws {
        guard isInsideTransaction else {
            throw DatabaseError(resultCode: .SQLITE_ABORT, message: "not inside the batch's transaction (rolled back?)", sql: sql)
        }
        try step(sql, values) { _ in false }
    }

    /// The first row of `sql`, kept prepared, with `values` bound by position, as `read` makes it of the
    /// row's columns (`SQLiteColumns`: by index, from SQLite); nil when there is none. The read of
    /// `executeDirectly`, for the same reason: a GRDB `Row` maps every column's lowercased name to its index for
    /// each run of the statement.
    func readFirstRowDirectly<T>(_ sql: String, _ values: DirectValue..., read: (SQLiteColumns) throws -> T) throws -> T? {
        var value: T?
        try step(sql, values) { statement in
            value = try read(SQLiteColumns(statement: statement))
            return false
        }
        return value
    }

    /// Every row of `sql`, like `readFirstRowDirectly`: `read` makes a value of each row's columns.
    func readRowsDirectly<T>(_ sql: String, _ values: DirectValue..., read: (SQLiteColumns) throws -> T) throws -> [T] {
        var rows: [T] = []
        try step(sql, values) { statement in
            rows.append(try read(SQLiteColumns(statement: statement)))
            return true
        }
        return rows
    }

    /// Binds `values` to `sql`'s statement and steps it until it is done, or until `onRow`, called on each row it
    /// stops on, returns false. The statement is reset afterwards, whatever happened, and an SQLite error is
    /// thrown as GRDB throws it.
    private func step(_ sql: String, _ values: [DirectValue], onRow: (SQLiteStatement) throws -> Bool) throws {
        let statement = try cachedStatement(sql: sql).sqliteStatement
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        defer { sqlite3_reset(statement) }
        assert(values.count == Int(sqlite3_bind_parameter_count(statement)), "\(values.count) values for \(sql)")
        for (offset, value) in values.enumerated() {
            let index = CInt(offset + 1)
            switch value {
            case .integer(let integer): sqlite3_bind_int64(statement, index, integer)
            case .text(let text): sqlite3_bind_text(statement, index, text, -1, sqliteTransient)
            case .null: sqlite3_bind_null(statement, index)
            }
        }
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW:
                if try !onRow(statement) { return }
            case SQLITE_DONE:
                return
            case let code:
                // Read before the deferred reset, which keeps the code but may not keep the message.
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqliteConnection)), sql: sql)
            }
        }
    }
}

/// SQLite copies the text before the bind returns (`SQLITE_TRANSIENT`, a macro Swift does not import).
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
