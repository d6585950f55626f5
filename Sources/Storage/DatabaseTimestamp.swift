import Foundation
import GRDB

/// A date in the text form GRDB stores dates in (`YYYY-MM-DD HH:MM:SS.SSS`, UTC), made by arithmetic.
///
/// GRDB formats every `Date` it binds with a `DateFormatter` (ICU); a booking binds its time five times,
/// and that formatting was about 3% of the service's CPU in a booking rush. The hot commands format their
/// time once with this and bind the text, which GRDB reads back as the same `Date` as its own form. (Below a
/// millisecond GRDB's formatter rounds and this truncates, as the API's dates do: a time in the last half
/// millisecond of one is stored a millisecond earlier than GRDB would store it.)
enum DatabaseTimestamp {
    /// Years outside `UTCDateTime.fastYears` (none of the service's own times) go through GRDB.
    static func string(_ date: Date) -> String {
        UTCDateTime(date).text(separator: " ", milliseconds: true, suffix: nil) ?? String.fromDatabaseValue(date.databaseValue)!
    }
}
