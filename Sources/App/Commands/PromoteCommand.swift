import ArgumentParser
import Storage

/// `event-booking promote EMAIL`: makes a registered user an organizer, for deployments that close organizer
/// sign-up (`ALLOW_ORGANIZER_SIGNUP=false`).
struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote", abstract: "Make a registered user an ORGANIZER.",
        discussion: "A running server sees the new role within a minute (it caches users for that long).")

    @Argument(help: "The user's email address.") var email: String
    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let configuration = try await options.configuration()
        let database = try AppDatabase(path: configuration.databasePath, durability: configuration.durability)
        defer { try? database.close() }
        do {
            let user = try await database.setRole(.organizer, email: email)
            print("\(user.email) is now an ORGANIZER")
        } catch StorageError.notFound(.user) {
            throw ValidationError("no user is registered as \(email)")
        }
    }
}
