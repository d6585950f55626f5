import GRDB

extension Database {
    /// Each row of `sql`, turned into a value while its statement is on it (the statement is kept prepared).
    ///
    /// A row that outlives its statement, as `Row.fetchAll` and `Row.fetchOne` return them, finds a column by
    /// name by lowercasing every column name in turn; a row read in place looks it up in its statement's index.
    /// On the outbox's due messages (some twenty columns read by name a row) that was a third of the read.
    func decodeAll<T>(sql: String, arguments: StatementArguments = [], _ decode: (Row) throws -> T) throws -> [T] {
        let rows = try Row.fetchCursor(cachedStatement(sql: sql), arguments: arguments)
        return try withExtendedLifetime(rows) {
            var values: [T] = []
            while let row = try rows.next() { values.append(try decode(row)) }
            return values
        }
    }

    /// The first row of `sql` as a value, like `decodeAll`; nil when there is none.
    func decodeOne<T>(sql: String, arguments: StatementArguments = [], _ decode: (Row) throws -> T) throws -> T? {
        // The row is the statement's current one: the cursor must outlive its decoding, or it resets the statement.
        let rows = try Row.fetchCursor(cachedStatement(sql: sql), arguments: arguments)
        return try withExtendedLifetime(rows) { try rows.next().map(decode) }
    }
}
