import Foundation

/// A limit of `count` events per `window`, written `N/window` (`10/15m`, `60/1m`); `off` is no limit.
struct RateLimit: Sendable, Equatable, CustomStringConvertible {
    var count: Int
    var window: TimeInterval

    /// nil for `off`; throws for anything that is not `N/window` with N >= 1 and a window of at least 1 s.
    static func parse(_ text: String) throws -> RateLimit? {
        if text.lowercased() == "off" { return nil }
        let parts = text.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let count = Int(parts[0]), count >= 1, let window = duration(parts[1]), window >= 1 else {
            throw ConfigurationError("expected N/window like 10/15m or 60/1m, or off; got '\(text)'")
        }
        return RateLimit(count: count, window: window)
    }

    /// `90s`, `15m`, `1h`, `1d`, or seconds without a unit.
    private static func duration(_ text: Substring) -> TimeInterval? {
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        if let unit = text.last.flatMap({ units[$0] }) { return Double(text.dropLast()).map { $0 * unit } }
        return Double(text)
    }

    var description: String { "\(count)/\(Int(window))s" }
}
