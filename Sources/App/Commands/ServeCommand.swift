import ArgumentParser
import Hummingbird
import ServiceLifecycle
import UnixSignals

/// `event-booking serve` (the default): runs the HTTP server until SIGTERM or SIGINT, then lets
/// in-flight requests finish (for at most `SHUTDOWN_TIMEOUT`) and closes the database.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP server (the default).")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let configuration = try await options.configuration()
        do {
            let logger = makeLogger(configuration)
            var group = ServiceGroupConfiguration(
                services: [try await buildApplication(configuration, logger: logger)], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger)
            // SIGTERM drains for at most this long, then cancels what is left: the process always ends.
            group.maximumGracefulShutdownDuration = .milliseconds(Int64(configuration.shutdownTimeout * 1000))
            try await ServiceGroup(configuration: group).run()
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}
