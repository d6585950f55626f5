import Foundation
import Storage

/// The contract's timestamps: ISO 8601 in UTC with a `Z` out; fractional seconds and offsets accepted in.
enum Timestamp {
    static func string(_ date: Date) -> String {
        UTCDateTime.iso8601(date)
    }

    static func string(_ date: Date?) -> String? {
        date.map { string($0) }
    }

    /// The instant `text` names, or nil when it is not an ISO 8601 date-time with a zone.
    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
