import ArgumentParser

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
    static func main() async {
        umask(0o077)
        await main(nil)
    }
}
