import ArgumentParser
import Storage

/// `event-booking migrate`: creates the database file or brings its schema up to date, then exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Create or upgrade the database schema.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let configuration = try await options.configuration()
        let database = try AppDatabase(path: configuration.databasePath, durability: configuration.durability)
        try database.close()
        print("database \(configuration.databasePath) is migrated")
    }
}
