import Foundation

/// A date's fields in the Gregorian calendar in UTC, to the millisecond, by arithmetic.
///
/// The service writes dates in fixed forms only (the database's text, the API's ISO 8601, the mails' and
/// pages' "Tue, 1 Jun 2027, 19:00 UTC"). Foundation's format styles and GRDB's `DateFormatter` take a
/// calendar, a time zone and a locale through ICU for each date, which in a booking rush was about 3 % of the
/// service's CPU; these fields are a few divisions. Milliseconds are truncated toward the past, as those
/// formatters do.
///
/// The calendar is the proleptic Gregorian one. Foundation's is Julian before 15 October 1582, so the two agree
/// from 1583 on: the forms below leave other years to Foundation.
public struct UTCDateTime: Sendable, Equatable {
    public var year: Int64
    /// 1-12.
    public var month: Int
    /// 1-31.
    public var day: Int
    /// 0 for Sunday through 6 for Saturday.
    public var weekday: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var millisecond: Int

    public init(_ date: Date) {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var (days, millisecondOfDay) = milliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        if millisecondOfDay < 0 { (days, millisecondOfDay) = (days - 1, millisecondOfDay + 86_400_000) }
        let (year, month, day) = Self.civil(fromDays: days)
        self.year = year
        self.month = Int(month)
        self.day = Int(day)
        // 1970-01-01 was a Thursday.
        let weekday = (days + 4) % 7
        self.weekday = Int(weekday < 0 ? weekday + 7 : weekday)
        let ms = Int(millisecondOfDay)
        hour = ms / 3_600_000
        minute = ms / 60_000 % 60
        second = ms / 1000 % 60
        millisecond = ms % 1000
    }

    /// The years in which Foundation's calendar and this one agree, written in four digits.
    public static let fastYears: ClosedRange<Int64> = 1583...9999

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

extension UTCDateTime {
    /// `2027-06-01T19:00:00Z`: what `date.formatted(.iso8601)` writes, the form of every date the API answers
    /// with. Years outside `fastYears`, which no date of the service's has, are left to Foundation.
    public static func iso8601(_ date: Date) -> String {
        let time = UTCDateTime(date)
        guard fastYears.contains(time.year) else { return date.formatted(.iso8601) }
        var text = ""
        text.reserveCapacity(20)
        text.append(time.year, width: 4)
        text += "-"
        text.append(time.month, width: 2)
        text += "-"
        text.append(time.day, width: 2)
        text += "T"
        text.append(time.hour, width: 2)
        text += ":"
        text.append(time.minute, width: 2)
        text += ":"
        text.append(time.second, width: 2)
        text += "Z"
        return text
    }
}

extension String {
    /// Appends `value` in decimal, with leading zeros up to `width` digits.
    mutating func append(_ value: some BinaryInteger, width: Int) {
        let digits = String(value)
        if digits.utf8.count < width { append(String(repeating: "0", count: width - digits.utf8.count)) }
        append(digits)
    }
}
