import ArgumentParser

/// `event-booking`: the booking daemon and its maintenance commands.
@main
struct EventBookingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event-booking",
        abstract: "An event booking service on one SQLite file.",
        subcommands: [ServeCommand.self, MigrateCommand.self, SeedCommand.self, BackupCommand.self, CheckCommand.self],
        defaultSubcommand: ServeCommand.self)
}
