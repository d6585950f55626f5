import ArgumentParser
import Storage

/// `event-booking check`: SQLite's integrity check plus the seat invariant and the seat ledger on every event;
/// exit 1 when broken.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Verify the database file and that every event's seats match its bookings and its seat ledger.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let configuration = try await options.configuration()
        let database = try AppDatabase(path: configuration.databasePath, durability: configuration.durability)
        let report = try await database.checkIntegrity()
        try database.close()
        print(Self.render(report))
        if !report.isHealthy { throw ExitCode(1) }
    }

    static func render(_ report: IntegrityReport) -> String {
        var lines = ["integrity_check: \(report.integrityCheck.joined(separator: "; "))"]
        lines.append("foreign key violations: \(report.foreignKeyViolations)")
        lines.append(
            "events checked: \(report.eventsChecked), seat mismatches: \(report.seatMismatches.count), "
                + "ledger mismatches: \(report.ledgerMismatches.count)")
        for mismatch in report.seatMismatches {
            lines.append(
                "  event \(mismatch.eventId): total \(mismatch.totalSeats) - available \(mismatch.availableSeats) = "
                    + "\(mismatch.totalSeats - mismatch.availableSeats) taken, but confirmed bookings hold \(mismatch.confirmedSeats)"
                    + " and active holds \(mismatch.heldSeats)")
        }
        for mismatch in report.ledgerMismatches {
            lines.append(
                "  event \(mismatch.eventId): available \(mismatch.availableSeats), but its seat ledger sums to \(mismatch.ledgerSum)"
                    + " and ends at \(mismatch.lastAvailableAfter.map(String.init) ?? "nothing")")
        }
        if !report.byEventMismatches.isEmpty {
            lines.append("by-event tables that disagree with their tables: \(report.byEventMismatches.joined(separator: ", "))")
        }
        if !report.eventCountMismatches.isEmpty {
            lines.append("event counters that disagree with the events: \(report.eventCountMismatches.joined(separator: ", "))")
        }
        lines.append(report.isHealthy ? "OK" : "BROKEN")
        return lines.joined(separator: "\n")
    }
}
