import Foundation
import Logging

/// The service's log lines, on standard error in the format of swift-log's `StreamLogHandler`:
/// `2026-11-27T20:31:05+0000 info event-booking: hb.request.id=… user.id=4 [App] message`.
///
/// `StreamLogHandler` formats all of a logger's metadata again each time one key is set, whether or not a line is
/// ever written. Hummingbird sets a request id on every request's logger and the authentication adds the user's
/// id, so at `LOG_LEVEL=warning`, where a request writes no line, that formatting was all the logging a request
/// did: about 3 % of the CPU of a booking rush. This handler formats metadata only for a line it writes.
struct StandardErrorLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    /// Where each finished line goes; standard error, unless a test listens.
    let write: @Sendable (String) -> Void

    init(label: String, metadataProvider: Logger.MetadataProvider? = nil, write: @escaping @Sendable (String) -> Void = Self.standardError) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let explicit = event.metadata { all.merge(explicit) { $1 } }
        if let error = event.error {
            all["error.message"] = "\(error)"
            all["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        let pairs = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        write("\(Self.timestamp()) \(event.level) \(label):\(pairs.isEmpty ? "" : " \(pairs)") [\(event.source)] \(event.message)\n")
    }

    /// One `write(2)` a line, so that lines of concurrent requests never interleave.
    static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Local time to the second with its offset, as `StreamLogHandler` writes it.
    private static func timestamp() -> String {
        var now = time(nil)
        var local = tm()
        guard localtime_r(&now, &local) != nil else { return "<unknown>" }
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &local)
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
