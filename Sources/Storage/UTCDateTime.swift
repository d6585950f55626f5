import Foundation

/// A date's fields in the Gregorian calendar in UTC, to the millisecond, by arithmetic.
///
/// The service writes dates in fixed forms only (the database's text, the API's ISO 8601, the mails' and
/// pages' "Tue, 1 Jun 2027, 19:00 UTC"). Foundation's format styles and GRDB's `DateFormatter` take a
/// calendar, a time zone and a locale through ICU for each date, which in a booking rush was about 3 % of the
/// service's CPU; these fields are a few divisions. Milliseconds are truncated toward the past, as Foundation's
/// format styles do (GRDB's formatter rounds below a millisecond: see `DatabaseTimestamp`).
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

    /// Days since 1970-01-01 of a date of the proleptic Gregorian calendar; the inverse of `civil(fromDays:)`
    /// (Howard Hinnant's `days_from_civil`).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let year = month <= 2 ? year - 1 : year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension UTCDateTime {
    /// `2027-06-01T19:00:00Z`: what `date.formatted(.iso8601)` writes, the form of every date the API answers
    /// with. Years outside `fastYears`, which no date of the service's has, are left to Foundation.
    public static func iso8601(_ date: Date) -> String {
        UTCDateTime(date).text(separator: "T", milliseconds: false, suffix: "Z") ?? date.formatted(.iso8601)
    }

    /// `YYYY-MM-DD`, `separator`, `HH:MM:SS`, then `.SSS` when `milliseconds`, then `suffix`; nil outside
    /// `fastYears`. Written digit by digit into the string's storage: the dates of a booking's answer and of
    /// its writes, formatted with `String(value)` and appends, were 2 % of a rush's CPU.
    func text(separator: Unicode.Scalar, milliseconds: Bool, suffix: Unicode.Scalar?) -> String? {
        guard Self.fastYears.contains(year) else { return nil }
        let count = 19 + (milliseconds ? 4 : 0) + (suffix == nil ? 0 : 1)
        return String(unsafeUninitializedCapacity: count) { text in
            func put(_ value: Int, at start: Int, width: Int) {
                var value = value
                for index in (start..<start + width).reversed() {
                    text[index] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(Int(year), at: 0, width: 4)
            text[4] = UInt8(ascii: "-")
            put(month, at: 5, width: 2)
            text[7] = UInt8(ascii: "-")
            put(day, at: 8, width: 2)
            text[10] = UInt8(ascii: separator)
            put(hour, at: 11, width: 2)
            text[13] = UInt8(ascii: ":")
            put(minute, at: 14, width: 2)
            text[16] = UInt8(ascii: ":")
            put(second, at: 17, width: 2)
            var end = 19
            if milliseconds {
                text[19] = UInt8(ascii: ".")
                put(millisecond, at: 20, width: 3)
                end = 23
            }
            if let suffix {
                text[end] = UInt8(ascii: suffix)
                end += 1
            }
            return end
        }
    }
}
