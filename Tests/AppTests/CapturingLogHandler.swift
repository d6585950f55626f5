import Logging
import NIOConcurrencyHelpers

/// Keeps every log message, for tests that check what an operator would read.
struct CapturingLogHandler: LogHandler {
    final class Store: Sendable {
        private let lines = NIOLockedValueBox<[String]>([])
        func append(_ line: String) { lines.withLockedValue { $0.append(line) } }
        var all: [String] { lines.withLockedValue { $0 } }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        store.append("\(event.level) \(event.message) \(merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
    }
}
