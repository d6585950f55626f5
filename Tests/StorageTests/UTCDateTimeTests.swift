import Foundation
import Testing
@testable import Storage

@Suite struct UTCDateTimeTests {
    /// Dates across years 1-9999 (twenty thousand steps of an odd number of milliseconds, so that every
    /// field varies), before and after 1970, and the edges: leap days, the last millisecond of a day, of a
    /// year and of year 9999, instants a hair before a whole second.
    static let dates: [Date] = {
        let first = -62_135_596_800.0  // 0001-01-01T00:00:00Z
        let last = 253_402_300_799.999  // 9999-12-31T23:59:59.999Z
        let step = ((last - first) / 20_000).rounded(.down) + 0.377
        var dates = stride(from: first, through: last, by: step).map { Date(timeIntervalSince1970: $0) }
        dates += [
            0, -0.001, -0.5, 0.9999, 59.9995, 86_399.999, 951_782_400, 951_868_799.999, 4_107_542_400, 1_709_208_000,
            -2_203_891_200, 4_102_444_799.999, 1_800_000_000.123, first, last,
        ].map { Date(timeIntervalSince1970: $0) }
        return dates
    }()

    @Test func fieldsAreTheGregorianCalendarsInUTC() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        // Foundation's Gregorian calendar is Julian before 1582-10-15.
        for date in Self.dates where UTCDateTime.fastYears.contains(UTCDateTime(date).year) {
            let ours = UTCDateTime(date)
            let components = calendar.dateComponents([.year, .month, .day, .weekday, .hour, .minute, .second], from: date)
            let expected = [
                components.year!, components.month!, components.day!, components.weekday! - 1, components.hour!, components.minute!,
                components.second!,
            ]
            let fields = [Int(ours.year), ours.month, ours.day, ours.weekday, ours.hour, ours.minute, ours.second]
            #expect(fields == expected, "\(date.timeIntervalSince1970)")
            let millisecond = Int((date.timeIntervalSince1970 * 1000).rounded(.down) - (date.timeIntervalSince1970).rounded(.down) * 1000)
            #expect(ours.millisecond == millisecond, "\(date.timeIntervalSince1970)")
        }
    }

    @Test func iso8601IsWhatFoundationWrites() {
        for date in Self.dates {
            #expect(UTCDateTime.iso8601(date) == date.formatted(.iso8601), "\(date.timeIntervalSince1970)")
        }
    }

    @Test func yearsPastFourDigitsAreLeftToFoundation() {
        let date = Date(timeIntervalSince1970: 253_402_300_800)  // 10000-01-01
        #expect(UTCDateTime(date).year == 10_000)
        #expect(UTCDateTime.iso8601(date) == date.formatted(.iso8601))
    }

    @Test func theProlepticCalendarBeforeFoundationsGregorianOne() {
        // Julian 1582-10-04 was followed by Gregorian 1582-10-15; proleptically, that Julian day is 10-14.
        let lastJulianDay = Date(timeIntervalSince1970: -12_219_379_200)
        #expect(UTCDateTime(lastJulianDay).day == 14)
        #expect(UTCDateTime.iso8601(lastJulianDay) == "1582-10-04T00:00:00Z")
    }
}
