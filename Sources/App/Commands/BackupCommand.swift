import ArgumentParser
import Foundation
import Storage

/// `event-booking backup [FILE]`: a consistent copy of the live database, safe while the server runs.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the database into a new file while the service keeps serving, then verify the copy.",
        discussion: """
            With no FILE the copy goes to <database folder>/backups/event-booking-<UTC time>.sqlite.
            An existing file is never overwritten. To restore, stop the service and put the copy in place of
            the database file (removing any -wal and -shm files beside it).
            """)

    @Argument(help: "Where to write the copy.") var file: String?
    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let configuration = try await options.configuration()
        let destination = file ?? Self.defaultDestination(databasePath: configuration.databasePath)
        let database = try AppDatabase(path: configuration.databasePath, durability: configuration.durability)
        defer { try? database.close() }
        let summary: BackupSummary
        do {
            summary = try await database.backup(to: destination)
        } catch let error as BackupError {
            throw ValidationError(error.description)
        }
        print("backup written to \(summary.path): \(summary.bytes) bytes, \(summary.events) events, \(summary.bookings) bookings")
        print(CheckCommand.render(summary.report))
        if !summary.report.isHealthy { throw ExitCode(1) }
    }

    static func defaultDestination(databasePath: String, now: Date = Date()) -> String {
        URL(fileURLWithPath: databasePath).deletingLastPathComponent()
            .appendingPathComponent("backups").appendingPathComponent(AppDatabase.backupFileName(at: now)).path
    }
}
