import CSQLiteConfig

/// Settings of the SQLite library itself, for the whole process. SQLite takes most of them only before it
/// initializes, which it does when the process opens its first connection: `AppDatabase` applies them before
/// it opens one, and `serve` and the other commands first thing.
public enum SQLiteLibrary {
    /// Applies the settings once, the first time it is asked. When SQLite has initialized already (a connection
    /// opened before, not through `AppDatabase`), it refuses the memory statistics' setting and runs as it was.
    ///
    /// - SQLite keeps no memory statistics (`SQLITE_CONFIG_MEMSTATUS` off). Counting takes a process-wide mutex
    ///   around every allocation of every connection, the writer's and the readers', and cost 9 % of SQLite's own
    ///   CPU time for a booking (`make bench-floor`: 39 against 35.5 µs a booking). Nothing in the service reads
    ///   the statistics (`sqlite3_memory_used`) or sets a soft heap limit, which needs them.
    /// - Connections open through a VFS that writes a commit's WAL frames in calls of up to 124 KB instead of two
    ///   calls a frame (`WALWriteGathering.c`): a batch of 20 bookings wrote 40-75 frames, so 80-150 `pwrite`s on
    ///   the writer's thread, more when the bookings are spread over many events. Everything but the WAL's appends
    ///   goes to SQLite's own VFS unchanged.
    public static func configure() { _ = applied }

    private static let applied: Void = {
        _ = csqlite_config_disable_memory_statistics()
        _ = csqlite_register_wal_write_gathering()
    }()
}
