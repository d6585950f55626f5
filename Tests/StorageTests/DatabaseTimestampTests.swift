import Foundation
import GRDB
import Testing
@testable import Storage

@Suite struct DatabaseTimestampTests {
    @Test(arguments: [
        0.0, 1_800_000_000.123, 951_782_400.999, 4_102_444_799.5, -86_400.25, 1_709_208_000.0, 253_402_300_799.999,
    ])
    func textIsWhatGRDBWritesAndReadsBackAsTheSameMillisecond(_ seconds: TimeInterval) throws {
        let date = Date(timeIntervalSince1970: seconds)
        let ours = DatabaseTimestamp.string(date)
        #expect(ours == String.fromDatabaseValue(date.databaseValue), "GRDB's own form of \(seconds)")
        let back = try #require(Date.fromDatabaseValue(ours.databaseValue))
        #expect(abs(back.timeIntervalSince1970 - (seconds * 1000).rounded(.down) / 1000) < 0.000_5)
    }

    /// Times the service writes (1970-2200), each 0.4 ms past a millisecond. Below a millisecond the two
    /// differ: GRDB's formatter rounds to the nearest, this truncates like every other date form of the service.
    @Test func textIsGRDBsOnDatesOfTheServicesTimes() {
        for milliseconds in stride(from: Int64(0), through: 7_258_118_400_000, by: 3_628_800_123) {
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000 + 0.000_4)
            #expect(DatabaseTimestamp.string(date) == String.fromDatabaseValue(date.databaseValue), "\(milliseconds)")
        }
    }

    static func parsed(_ text: String) -> Date? {
        Array(text.utf8).withUnsafeBufferPointer { DatabaseTimestamp.date($0) }
    }

    /// Every millisecond form of the years read by arithmetic, sampled: the same `Date`, to the bit, as GRDB's.
    @Test func readsTheDateGRDBReads() throws {
        var generator = SystemRandomNumberGenerator()
        let earliest = Int64(-12_212_553_600_000)  // 1583-01-01
        let latest = Int64(253_402_300_799_999)  // 9999-12-31 23:59:59.999
        var milliseconds = (0..<20_000).map { _ in Int64.random(in: earliest...latest, using: &generator) }
        milliseconds += [earliest, latest, 0, 951_782_400_000, 951_868_799_999, 1_800_000_000_123, 4_102_444_799_500]
        for millisecond in milliseconds {
            let text = try #require(DatabaseTimestamp.string(Date(timeIntervalSince1970: Double(millisecond) / 1000)))
            let ours = try #require(Self.parsed(text), "\(text)")
            let grdb = try #require(Date.fromDatabaseValue(text.databaseValue))
            #expect(ours.timeIntervalSinceReferenceDate.bitPattern == grdb.timeIntervalSinceReferenceDate.bitPattern, "\(text)")
        }
    }

    /// What arithmetic does not read, GRDB does (or refuses): other forms, fields out of range, other years.
    @Test(arguments: [
        "2027-06-01 19:00:00", "2027-06-01T19:00:00.000", "2027-06-01 19:00:00.000Z", "2027-13-01 19:00:00.000",
        "2027-00-01 19:00:00.000", "2027-04-31 19:00:00.000", "2027-02-29 19:00:00.000", "2027-06-01 24:00:00.000",
        "2027-06-01 19:60:00.000", "2027-06-01 19:00:60.000", "1582-10-15 00:00:00.000", "2027-06-0a 19:00:00.000",
        "2027-06-01 19:00:00.0000",
    ])
    func leavesOtherTextToGRDB(_ text: String) {
        #expect(Self.parsed(text) == nil)
    }

    @Test func readsLeapDays() {
        #expect(Self.parsed("2028-02-29 12:00:00.000") == Date.fromDatabaseValue("2028-02-29 12:00:00.000".databaseValue))
        #expect(Self.parsed("2000-02-29 00:00:00.000") == Date.fromDatabaseValue("2000-02-29 00:00:00.000".databaseValue))
        #expect(Self.parsed("1900-02-29 00:00:00.000") == nil)
    }
}
