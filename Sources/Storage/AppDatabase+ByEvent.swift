import GRDB

/// An event's bookings and ledger entries, found through `bookings_by_event` and `seat_ledger_by_event`
/// (schema.sql) instead of indexes on `event_id`.
///
/// An index on `event_id` takes a page for every event a commit books: a rush spread over 50 events wrote
/// 75 WAL pages a commit of 20 bookings against 44 on one event, and the fsync's time grows with them. The
/// booking writer instead appends rows in id order and, once `settleBacklog` of them wait, copies their
/// (event, id) pairs into the by-event tables in event order, many rows of an event to a page. Reads go
/// through the views `event_bookings` and `event_seat_ledger`, which add the rows not copied yet by a scan of
/// the table's last ids.
extension AppDatabase {
    /// How many bookings or ledger entries may wait before a batch copies them into the by-event tables: what a
    /// read of an event's rows scans at most on top of its own rows.
    static let settleBacklog: Int64 = 1_024

    /// Copies the bookings and ledger entries written since the last time into the by-event tables, when
    /// `backlog` or more of either wait. The booking writer runs it in every batch, after the commands.
    static func settleByEventTables(backlog: Int64 = settleBacklog, _ db: Database) throws {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT bookings_through, seat_ledger_through,
                               (SELECT COALESCE(MAX(id), 0) FROM bookings) AS last_booking,
                               (SELECT COALESCE(MAX(id), 0) FROM seat_ledger) AS last_entry
                        FROM by_event_settled
                        """))
        else { return }
        let bookingsThrough: Int64 = row["bookings_through"], lastBooking: Int64 = row["last_booking"]
        let entriesThrough: Int64 = row["seat_ledger_through"], lastEntry: Int64 = row["last_entry"]
        guard lastBooking - bookingsThrough >= backlog || lastEntry - entriesThrough >= backlog else { return }
        // OR IGNORE: a pair already there (a row written by hand) must not stop every batch; `check` reports it.
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO bookings_by_event (event_id, booking_id)
                    SELECT event_id, id FROM bookings WHERE id > ? AND id <= ? ORDER BY event_id, id;
                INSERT OR IGNORE INTO seat_ledger_by_event (event_id, entry_id)
                    SELECT event_id, id FROM seat_ledger WHERE id > ? AND id <= ? ORDER BY event_id, id;
                UPDATE by_event_settled SET bookings_through = ?, seat_ledger_through = ?;
                """,
            arguments: [bookingsThrough, lastBooking, entriesThrough, lastEntry, lastBooking, lastEntry])
    }

    /// The by-event tables that do not hold exactly the rows up to their settled id, with the right event.
    static func byEventMismatches(_ db: Database) throws -> [String] {
        let pairs = [
            (table: "bookings_by_event", source: "bookings", id: "booking_id", through: "bookings_through"),
            (table: "seat_ledger_by_event", source: "seat_ledger", id: "entry_id", through: "seat_ledger_through"),
        ]
        return try pairs.filter { pair in
            let matches = try Bool.fetchOne(
                db,
                sql: """
                    SELECT (SELECT COUNT(*) FROM \(pair.table))
                               = (SELECT COUNT(*) FROM \(pair.source) WHERE id <= (SELECT \(pair.through) FROM by_event_settled))
                        AND NOT EXISTS (
                            SELECT 1 FROM \(pair.table) AS settled LEFT JOIN \(pair.source) ON \(pair.source).id = settled.\(pair.id)
                            WHERE \(pair.source).id IS NULL OR \(pair.source).event_id <> settled.event_id
                                OR settled.\(pair.id) > (SELECT \(pair.through) FROM by_event_settled))
                    """) ?? false
            return !matches
        }.map(\.table)
    }
}
