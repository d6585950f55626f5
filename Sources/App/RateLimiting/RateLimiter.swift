import Foundation
import Synchronization

/// Counts events per key (an account, a client address, a user) in fixed windows, in memory: a restart
/// forgets every count.
///
/// `attempt` counts and decides at once (every request counts); `retryAfter` only looks and `record` only
/// counts, for limits that count failures but must refuse even a success once over (failed logins). Keys
/// whose window has ended are swept when the table grows past `capacity`, so memory stays bounded.
final class RateLimiter: Sendable {
    private struct Window {
        var start: Date
        var count: Int
    }

    let limit: RateLimit
    let capacity: Int
    private let windows = Mutex<[String: Window]>([:])

    init(_ limit: RateLimit, capacity: Int = 100_000) {
        self.limit = limit
        self.capacity = capacity
    }

    /// Counts one event for `key`; nil when it is within the limit, else the seconds until the window ends.
    func attempt(_ key: String, now: Date = Date()) -> Int? {
        windows.withLock { windows in
            var window = current(key, now: now, &windows)
            guard window.count < limit.count else { return secondsLeft(window, now: now) }
            window.count += 1
            windows[key] = window
            return nil
        }
    }

    /// The seconds until `key` may act again when it is over the limit, nil when it is not; counts nothing.
    func retryAfter(_ key: String, now: Date = Date()) -> Int? {
        windows.withLock { windows in
            let window = current(key, now: now, &windows)
            return window.count >= limit.count ? secondsLeft(window, now: now) : nil
        }
    }

    /// Counts one event for `key` without deciding anything.
    func record(_ key: String, now: Date = Date()) {
        windows.withLock { windows in
            var window = current(key, now: now, &windows)
            window.count += 1
            windows[key] = window
        }
    }

    /// `key`'s window, a new one when it had none or its window ended; sweeps ended windows when full.
    private func current(_ key: String, now: Date, _ windows: inout [String: Window]) -> Window {
        if let window = windows[key], now.timeIntervalSince(window.start) < limit.window { return window }
        if windows.count >= capacity {
            windows = windows.filter { now.timeIntervalSince($0.value.start) < limit.window }
        }
        return Window(start: now, count: 0)
    }

    private func secondsLeft(_ window: Window, now: Date) -> Int {
        max(1, Int((limit.window - now.timeIntervalSince(window.start)).rounded(.up)))
    }
}
