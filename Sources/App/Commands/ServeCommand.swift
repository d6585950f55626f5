import ArgumentParser
import Hummingbird

/// `event-booking serve` (the default): runs the HTTP server until SIGTERM or SIGINT, then lets
/// in-flight requests finish and closes the database.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP server (the default).")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let configuration = try await options.configuration()
        do {
            try await buildApplication(configuration).runService()
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}
