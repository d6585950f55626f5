import GRDB

/// What `event-booking check` found: SQLite's own verdict and every event whose seats disagree with its bookings
/// or with its seat ledger.
public struct IntegrityReport: Sendable {
    /// One seat-accounting failure: the event's counter against what its confirmed bookings and active holds take.
    public struct SeatMismatch: Sendable, Equatable {
        public var eventId: Int64
        public var totalSeats: Int
        public var availableSeats: Int
        public var confirmedSeats: Int
        public var heldSeats: Int
    }

    /// `PRAGMA integrity_check` lines; `["ok"]` when the file is sound.
    public var integrityCheck: [String]
    public var foreignKeyViolations: Int
    public var seatMismatches: [SeatMismatch]
    /// Statuses whose counter in `event_counts` disagrees with the events that have it.
    public var eventCountMismatches: [String]
    /// Events whose seat ledger does not add up to their available seats.
    public var ledgerMismatches: [LedgerMismatch]
    /// By-event tables (`bookings_by_event`, `seat_ledger_by_event`) that do not hold exactly their table's rows.
    public var byEventMismatches: [String]
    public var eventsChecked: Int

    /// An event whose ledger disagrees with its counter: the deltas' sum, or the last entry's `availableAfter`.
    public struct LedgerMismatch: Sendable, Equatable {
        public var eventId: Int64
        public var availableSeats: Int
        public var ledgerSum: Int
        public var lastAvailableAfter: Int?
    }

    public var isHealthy: Bool {
        integrityCheck == ["ok"] && foreignKeyViolations == 0 && seatMismatches.isEmpty && eventCountMismatches.isEmpty
            && ledgerMismatches.isEmpty && byEventMismatches.isEmpty
    }
}

extension AppDatabase {
    /// Runs SQLite's integrity and foreign key checks, the seat invariant (bookings and holds) and the ledger's sum on every event.
    public func checkIntegrity() async throws -> IntegrityReport {
        try await pool.read(Self.integrityReport)
    }

    static func integrityReport(_ db: Database) throws -> IntegrityReport {
        let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
        let foreignKeyViolations = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count
        let eventsChecked = try Event.fetchCount(db)
        // total - available = confirmed + ACTIVE holds, lapsed or not: a lapsed hold keeps its seats until the
        // sweep gives them back in the same transaction that marks it. Sums over whole tables, grouped: one pass
        // each, where a lookup per event would scan each event's unsettled tail (AppDatabase+ByEvent).
        let mismatches = try Row.fetchAll(
            db,
            sql: """
                SELECT * FROM (
                    SELECT events.id, events.total_seats, events.available_seats,
                           COALESCE(booked.seats, 0) AS confirmed, COALESCE(held.seats, 0) AS held
                    FROM events
                    LEFT JOIN (SELECT event_id, SUM(seat_count) AS seats FROM bookings WHERE status = 'CONFIRMED' GROUP BY event_id) AS booked
                        ON booked.event_id = events.id
                    LEFT JOIN (SELECT event_id, SUM(seat_count) AS seats FROM holds WHERE status = 'ACTIVE' GROUP BY event_id) AS held
                        ON held.event_id = events.id)
                WHERE total_seats - available_seats <> confirmed + held
                """
        ).map { row in
            IntegrityReport.SeatMismatch(
                eventId: row["id"], totalSeats: row["total_seats"], availableSeats: row["available_seats"],
                confirmedSeats: row["confirmed"], heldSeats: row["held"])
        }
        let countMismatches = try String.fetchAll(
            db,
            sql: """
                SELECT event_counts.status FROM event_counts
                WHERE count <> (SELECT COUNT(*) FROM events WHERE events.status = event_counts.status)
                """)
        let ledgerMismatches = try Row.fetchAll(
            db,
            sql: """
                SELECT events.id, events.available_seats, COALESCE(ledger.total, 0) AS ledger_sum, last.available_after AS last_after
                FROM events
                LEFT JOIN (SELECT event_id, SUM(delta) AS total, MAX(id) AS last_id FROM seat_ledger GROUP BY event_id) AS ledger
                    ON ledger.event_id = events.id
                LEFT JOIN seat_ledger AS last ON last.id = ledger.last_id
                WHERE ledger_sum <> events.available_seats OR last_after IS NOT events.available_seats
                """
        ).map { row in
            IntegrityReport.LedgerMismatch(
                eventId: row["id"], availableSeats: row["available_seats"], ledgerSum: row["ledger_sum"], lastAvailableAfter: row["last_after"])
        }
        return IntegrityReport(
            integrityCheck: integrity, foreignKeyViolations: foreignKeyViolations, seatMismatches: mismatches,
            eventCountMismatches: countMismatches, ledgerMismatches: ledgerMismatches, byEventMismatches: try byEventMismatches(db),
            eventsChecked: eventsChecked)
    }
}
