import ArgumentParser
import Logging
import Storage

#if canImport(Glibc)
import Glibc
#endif

/// `event-booking`: the booking daemon and its maintenance commands.
@main
struct EventBookingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event-booking",
        abstract: "An event booking service on one SQLite file.",
        subcommands: [ServeCommand.self, MigrateCommand.self, SeedCommand.self, BackupCommand.self, CheckCommand.self, PromoteCommand.self],
        defaultSubcommand: ServeCommand.self)

    /// Every file and folder the service creates is its user's alone from the moment it exists: the database
    /// with its `-wal` and `-shm`, `jwt-secret`, backups and `.eml` files are 0600, folders 0700.
    ///
    /// glibc gives each thread that allocates its own heap arena, up to 8 per core; memory freed in one stays
    /// there, and RSS creeps up for a long time under a steady load. Two arenas (one per core of the
    /// machines this runs on) keep it flat (README, "Soak").
    ///
    /// Every logger of the process writes through `StandardErrorLogHandler`, and SQLite runs with
    /// `SQLiteLibrary`'s settings, whichever command opens the database.
    static func main() async {
        umask(0o077)
        SQLiteLibrary.configure()
        limitMallocArenas(to: 2)
        LoggingSystem.bootstrap { label in StandardErrorLogHandler(label: label) }
        await main(nil)
    }

    /// `mallopt(M_ARENA_MAX, count)`, which Swift's Glibc module does not export (it is in malloc.h).
    static func limitMallocArenas(to count: Int32) {
        #if canImport(Glibc)
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        let M_ARENA_MAX: Int32 = -8
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: MallOpt.self)(M_ARENA_MAX, count)
        #endif
    }
}
