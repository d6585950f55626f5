import Foundation
import GRDB

/// What `event-booking backup` wrote, and what the checks of the copy found.
public struct BackupSummary: Sendable {
    public var path: String
    public var bytes: Int
    public var events: Int
    public var bookings: Int
    /// The copy's own integrity check and seat invariant.
    public var report: IntegrityReport
}

/// A backup refused before it started.
public enum BackupError: Error, Equatable, CustomStringConvertible {
    /// Backups never overwrite: an older copy at that path may be the one that matters.
    case destinationExists(path: String)

    public var description: String {
        switch self {
        case .destinationExists(let path): "\(path) already exists; choose another file (a backup never overwrites one)"
        }
    }
}

extension AppDatabase {
    /// Copies the whole database into a new file at `path` with SQLite's online backup API.
    ///
    /// The copy is one consistent snapshot, taken from a reader connection: it runs while the service
    /// serves, and writers are not blocked. An existing file at `path` is never overwritten
    /// (`BackupError.destinationExists`). The copy is then checked like `check` checks the database, so a
    /// backup that reports success is one that can be restored (by putting the file in place of the
    /// database while the service is stopped).
    public func backup(to path: String) async throws -> BackupSummary {
        let url = URL(fileURLWithPath: path)
        guard !FileManager.default.fileExists(atPath: url.path) else { throw BackupError.destinationExists(path: url.path) }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let copy = try DatabaseQueue(path: url.path)
        defer { try? copy.close() }
        try pool.backup(to: copy)
        // One self-contained file to move around; the service turns WAL on again when it opens a restored copy.
        try await copy.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
        // The same checks `check` runs, on the copy: it was just written, so a failure here is real.
        let report = try await copy.read(Self.integrityReport)
        let counts = try await copy.read { db in (events: try Event.fetchCount(db), bookings: try Booking.fetchCount(db)) }
        let bytes = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        return BackupSummary(path: url.path, bytes: bytes, events: counts.events, bookings: counts.bookings, report: report)
    }

    /// A file name for a backup taken at `date`, e.g. `event-booking-20261125-124500.sqlite` (UTC).
    public static func backupFileName(at date: Date = Date()) -> String {
        "event-booking-\(date.formatted(backupTimeStyle)).sqlite"
    }

    private static let backupTimeStyle = Date.VerbatimFormatStyle(
        format: """
            \(year: .defaultDigits)\(month: .twoDigits)\(day: .twoDigits)-\
            \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased))\(minute: .twoDigits)\(second: .twoDigits)
            """,
        locale: Locale(identifier: "en_US_POSIX"), timeZone: .gmt, calendar: Calendar(identifier: .gregorian))
}
