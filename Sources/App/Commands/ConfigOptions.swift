import ArgumentParser
import Configuration
import Foundation
import SystemPackage

/// The options every command shares. Precedence: flag > environment variable > `.env` file > default.
struct ConfigOptions: ParsableArguments {
    @Option(help: "Address to listen on (HOST).") var host: String?
    @Option(help: "Port to listen on (PORT).") var port: Int?
    @Option(help: "The SQLite database file (DATABASE_PATH).") var databasePath: String?
    @Option(help: "trace, debug, info, notice, warning, error or critical (LOG_LEVEL).") var logLevel: String?
    @Option(help: "An env file read after the environment; missing is fine.") var envFile: String = ".env"

    /// The validated configuration from flags, the environment, the env file and the defaults.
    func configuration() async throws -> AppConfiguration {
        var flags: [AbsoluteConfigKey: ConfigValue] = [:]
        if let host { flags["host"] = .init(.string(host), isSecret: false) }
        if let port { flags["port"] = .init(.string(String(port)), isSecret: false) }
        if let databasePath { flags["database.path"] = .init(.string(databasePath), isSecret: false) }
        if let logLevel { flags["log.level"] = .init(.string(logLevel), isSecret: false) }
        let reader = ConfigReader(providers: [
            InMemoryProvider(name: "flags", values: flags),
            EnvironmentVariablesProvider(secretsSpecifier: .specific(["JWT_SECRET", "MAIL_PASSWORD"])),
            try await EnvironmentVariablesProvider(
                environmentFilePath: FilePath(envFile), allowMissing: true, secretsSpecifier: .specific(["JWT_SECRET", "MAIL_PASSWORD"])),
        ])
        do {
            return try AppConfiguration(reader: reader)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
    }
}
