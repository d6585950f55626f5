import Foundation

/// A limit of `count` events per `window`, written `N/window` (`10/15m`, `60/1m`); `off` is no limit.
struct RateLimit: Sendable, Equatable, CustomStringConvertible {
    var count: Int
    var window: TimeInterval

    /// nil for `off`; throws for anything that is not `N/window` with N >= 1 and a window of at least 1 s.
    static func parse(_ text: String) throws -> RateLimit? {
        if text.lowercased() == "off" { return nil }
        let parts = text.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let count = Int(parts[0]), count >= 1, let window = SettingParser.seconds(parts[1]), window >= 1 else {
            throw ConfigurationError("expected N/window like 10/15m or 60/1m, or off; got '\(text)'")
        }
        return RateLimit(count: count, window: window)
    }

    var description: String { "\(count)/\(Int(window))s" }
}
