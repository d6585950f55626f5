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

    /// The date of text in the form `string` writes (`YYYY-MM-DD HH:MM:SS.SSS`, a year in `UTCDateTime.fastYears`),
    /// the same `Date` GRDB reads from it, by arithmetic; nil for any other text, which is GRDB's to read.
    ///
    /// GRDB reads a stored date through `Calendar.date(from:)`, about a microsecond each: the booking writer
    /// reads its event's three dates for every booking, on the one thread that sets a rush's pace.
    static func date(_ text: UnsafeBufferPointer<UInt8>) -> Date? {
        guard text.count == 23, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"), text[10] == UInt8(ascii: " "),
            text[13] == UInt8(ascii: ":"), text[16] == UInt8(ascii: ":"), text[19] == UInt8(ascii: ".")
        else { return nil }
        func number(_ start: Int, _ width: Int) -> Int64? {
            var value: Int64 = 0
            for index in start..<start + width {
                let digit = text[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
            }
            return value
        }
        guard let year = number(0, 4), UTCDateTime.fastYears.contains(year), let month = number(5, 2), (1...12).contains(month),
            let day = number(8, 2), (1...31).contains(day),
            let hour = number(11, 2), hour < 24, let minute = number(14, 2), minute < 60, let second = number(17, 2), second < 60,
            let millisecond = number(20, 3)
        else { return nil }
        let days = UTCDateTime.days(year: year, month: month, day: day)
        // A day the month does not have (February 30) comes back as another date.
        guard UTCDateTime.civil(fromDays: days) == (year, month, day) else { return nil }
        // Foundation's `Calendar.date(from:)` adds the seconds into the day, fraction included, to the day's start
        // since 2001: the same sums in the same order give the same `Double` to the last bit.
        let secondsInDay = Double(hour * 3600 + minute * 60 + second) + Double(millisecond * 1_000_000) / 1_000_000_000
        let dayStart = Double(days * 86_400 - 978_307_200)
        return Date(timeIntervalSinceReferenceDate: dayStart + secondsInDay)
    }
}
