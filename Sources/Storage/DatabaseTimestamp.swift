import Foundation

/// A date in the text form GRDB stores dates in (`YYYY-MM-DD HH:MM:SS.SSS`, UTC), made by arithmetic.
///
/// GRDB formats every `Date` it binds with a `DateFormatter` (ICU); a booking binds its time five times,
/// and that formatting was about 3% of the service's CPU in a booking rush. The hot commands format their
/// time once with this and bind the text, which GRDB reads back as the same `Date` as its own form.
enum DatabaseTimestamp {
    static func string(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let (days, millisecondOfDay) = milliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        let (day, ms) = millisecondOfDay < 0 ? (days - 1, millisecondOfDay + 86_400_000) : (days, millisecondOfDay)
        let (year, month, dayOfMonth) = civil(fromDays: day)
        var text = ""
        text.reserveCapacity(23)
        func append(_ value: Int64, width: Int) {
            let digits = String(value)
            text += String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        append(year, width: 4)
        text += "-"
        append(month, width: 2)
        text += "-"
        append(dayOfMonth, width: 2)
        text += " "
        append(ms / 3_600_000, width: 2)
        text += ":"
        append(ms / 60_000 % 60, width: 2)
        text += ":"
        append(ms / 1000 % 60, width: 2)
        text += "."
        append(ms % 1000, width: 3)
        return text
    }

    /// Year, month and day of the proleptic Gregorian calendar for days since 1970-01-01
    /// (Howard Hinnant's `civil_from_days`).
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
