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
}
