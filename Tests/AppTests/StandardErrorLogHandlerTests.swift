import Logging
import NIOConcurrencyHelpers
import Testing
@testable import App

@Suite struct StandardErrorLogHandlerTests {
    /// Lines a handler wrote.
    final class Lines: Sendable {
        private let lines = NIOLockedValueBox<[String]>([])
        func append(_ line: String) { lines.withLockedValue { $0.append(line) } }
        var all: [String] { lines.withLockedValue { $0 } }
    }

    /// A metadata value that counts how often it is turned into text.
    final class CountedValue: CustomStringConvertible, Sendable {
        private let count = NIOLockedValueBox(0)
        var description: String {
            count.withLockedValue { $0 += 1 }
            return "counted"
        }
        var formatted: Int { count.withLockedValue { $0 } }
    }

    struct Refusal: Error {}

    func logger(_ lines: Lines, level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "event-booking") { label in StandardErrorLogHandler(label: label) { lines.append($0) } }
        logger.logLevel = level
        return logger
    }

    @Test func writesStreamLogHandlersFormatWithSortedMetadata() throws {
        let lines = Lines()
        var logger = logger(lines)
        logger[metadataKey: "user.id"] = "4"
        logger[metadataKey: "hb.request.id"] = "abc"
        logger.warning("booking refused", metadata: ["user.id": "5", "event.id": "7"], source: "App")
        let line = try #require(lines.all.first)
        #expect(lines.all.count == 1)
        #expect(line.hasSuffix(" warning event-booking: event.id=7 hb.request.id=abc user.id=5 [App] booking refused\n"))
        #expect(line.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} warning .*\n/) != nil, "a timestamp first: \(line)")
    }

    @Test func anErrorIsNamedAndALineWithoutMetadataHasNone() throws {
        let lines = Lines()
        let logger = logger(lines)
        logger.info("started", source: "App")
        logger.error("failed", error: Refusal(), source: "App")
        #expect(lines.all.count == 2)
        #expect(lines.all[0].hasSuffix(" info event-booking: [App] started\n"))
        #expect(lines.all[1].contains("error.message=Refusal() error.type=AppTests.StandardErrorLogHandlerTests.Refusal [App] failed"))
    }

    @Test func metadataIsFormattedOnlyForALineThatIsWritten() {
        let lines = Lines()
        let value = CountedValue()
        var logger = logger(lines, level: .warning)
        logger[metadataKey: "request"] = .stringConvertible(value)
        logger[metadataKey: "user.id"] = "4"
        logger.info("below the level")
        #expect(lines.all.isEmpty)
        #expect(value.formatted == 0, "nothing was written, so nothing was formatted")
        logger.warning("written")
        #expect(lines.all.count == 1)
        #expect(value.formatted == 1)
    }
}
