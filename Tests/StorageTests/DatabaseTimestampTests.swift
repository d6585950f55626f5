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

    /// Every text `string` writes from 1583 to 9999 (steps of an odd number of milliseconds, so every field
    /// varies, and the edges) reads back as exactly the `Date` GRDB reads from it.
    @Test func readsBackTheDateGRDBReads() throws {
        for date in UTCDateTimeTests.dates where UTCDateTime.fastYears.contains(UTCDateTime(date).year) {
            let text = DatabaseTimestamp.string(date)
            let ours = text.utf8.withContiguousStorageIfAvailable { DatabaseTimestamp.date($0) } ?? nil
            #expect(ours == Date.fromDatabaseValue(text.databaseValue), "\(text)")
        }
    }

    /// Any other text is left to GRDB.
    @Test(arguments: [
        "2027-06-01 19:00:00", "2027-06-01T19:00:00.000", "2027-02-29 10:00:00.000", "2027-04-31 10:00:00.000", "2027-13-01 10:00:00.000",
        "2027-06-01 24:00:00.000", "0999-06-01 10:00:00.000", "2027-06-01 19:00:00.00x", "2027-06-01 19:00:00.000Z",
    ])
    func readsNoOtherForm(_ text: String) {
        #expect((text.utf8.withContiguousStorageIfAvailable { DatabaseTimestamp.date($0) } ?? nil) == nil)
    }
}
