import GRDB

extension AppDatabase {
    /// True when the database answers a read (one row of `event_counts`, whatever the database holds) and
    /// can be written. After a write failed on a storage fault, a probe write (a no-op update of one row)
    /// tells whether it has cleared, so readiness comes back by itself, without waiting for a request. A
    /// database that could not be written when opened counts as such a fault from the start.
    public func isReady() async -> Bool {
        guard (try? await pool.read({ db in try Int.fetchOne(db, sql: "SELECT count FROM event_counts LIMIT 1") })) != nil else {
            return false
        }
        guard faults.current != nil else { return true }
        // A probe that fits in the WAL of a nearly full disk does not end a full-disk fault (StorageFaults).
        _ = try? await write { db in try db.execute(sql: "UPDATE event_counts SET count = count WHERE status = 'DRAFT'") }
        return faults.current == nil
    }
}
