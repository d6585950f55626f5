import Foundation
import GRDB
import GRDBSQLite

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

extension DatabaseTimestamp {
    /// The date in column `index` of the statement's current row, which holds text. The form this type and
    /// GRDB write, `YYYY-MM-DD HH:MM:SS.SSS` with a year in `UTCDateTime.fastYears`, is read by arithmetic,
    /// to the same `Date` GRDB makes of it; any other text goes to GRDB, which reads every form it accepts.
    ///
    /// Each writer command reads its event, with three dates: GRDB parses each into `DateComponents` and asks
    /// Foundation's calendar for the date, 1 % of a booking rush's CPU, on the thread that sets its pace.
    static func date(_ statement: SQLiteStatement, index: CInt) -> Date? {
        if sqlite3_column_bytes(statement, index) == 23, let text = sqlite3_column_text(statement, index),
            let date = date(UnsafeBufferPointer(start: text, count: 23))
        {
            return date
        }
        return Date(sqliteStatement: statement, index: index)
    }

    /// `YYYY-MM-DD HH:MM:SS.SSS` read by arithmetic; nil for anything else (a field out of range included).
    static func date(_ text: UnsafeBufferPointer<UInt8>) -> Date? {
        guard text.count == 23, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"), text[10] == UInt8(ascii: " "),
            text[13] == UInt8(ascii: ":"), text[16] == UInt8(ascii: ":"), text[19] == UInt8(ascii: ".")
        else { return nil }
        func number(_ start: Int, _ width: Int) -> Int64? {
            var value: Int64 = 0
            for offset in start..<start + width {
                let digit = text[offset] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
            }
            return value
        }
        guard let year = number(0, 4), UTCDateTime.fastYears.contains(year), let month = number(5, 2), (1...12).contains(month),
            let day = number(8, 2), (1...UTCDateTime.days(inMonth: month, of: year)).contains(day), let hour = number(11, 2), hour < 24,
            let minute = number(14, 2), minute < 60, let second = number(17, 2), second < 60, let millisecond = number(20, 3)
        else { return nil }
        let seconds = (UTCDateTime.days(fromCivil: year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second)
        // As Foundation's calendar adds GRDB's nanoseconds to the whole seconds.
        return Date(timeIntervalSince1970: Double(seconds)) + Double(millisecond * 1_000_000) / 1_000_000_000
    }
}
