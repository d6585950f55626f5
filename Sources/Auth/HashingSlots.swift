import Synchronization

/// Admission to password hashing: `running` hashes at once (one per core) and `waiting` more in line;
/// anything beyond is refused at once with `AuthError.busy` instead of joining an unbounded queue.
///
/// Without it, about 30 logins a second from one client kept every core busy with scrypt, and every other
/// request (a booking) waited behind them. With it, a flood of logins costs at most the cores' worth of
/// hashing, and the flood's surplus gets 503 `BUSY` with `Retry-After`.
final class HashingSlots: Sendable {
    private let admitted = Mutex(0)
    let running: Int
    let waiting: Int

    init(running: Int, waiting: Int) {
        self.running = max(1, running)
        self.waiting = max(0, waiting)
    }

    /// Runs `work` when a place is free; throws `AuthError.busy` when every place is taken.
    func withSlot<T>(_ work: () async throws -> T) async throws -> T {
        let capacity = running + waiting
        let admittedNow = admitted.withLock { count -> Bool in
            guard count < capacity else { return false }
            count += 1
            return true
        }
        guard admittedNow else { throw AuthError.busy }
        defer { admitted.withLock { $0 -= 1 } }
        return try await work()
    }

    /// Hashes admitted and not finished: running, or waiting for a thread.
    var inUse: Int { admitted.withLock { $0 } }
}
