import GRDB

extension AppDatabase {
    /// Where a retried request's key is kept: the table and the column naming what the first request made.
    enum IdempotencyTable: String {
        case bookings = "idempotency_keys"
        case holds = "hold_idempotency_keys"

        var madeColumn: String { self == .bookings ? "booking_id" : "hold_id" }
    }

    /// The id of the row `idempotency`'s key made for `userId`: nil for a new key (or no key),
    /// `idempotencyKeyReused` when the key came with another body.
    static func replayedId(for idempotency: IdempotencyRequest?, userId: Int64, in table: IdempotencyTable, _ db: Database) throws -> Int64? {
        guard let idempotency,
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT request_hash, \(table.madeColumn) AS made FROM \(table.rawValue) WHERE user_id = ? AND key = ?"),
                arguments: [userId, idempotency.key])
        else { return nil }
        guard row["request_hash"] as String == idempotency.requestHash else { throw StorageError.idempotencyKeyReused }
        return row["made"]
    }
}
