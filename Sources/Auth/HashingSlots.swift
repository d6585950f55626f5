import Synchronization

/// Admission to password hashing: `running` hashes at once (one per core) and `waiting` more in line;
/// anything beyond is refused with `AuthError.busy` instead of joining an unbounded queue.
///
/// Without it, about 30 logins a second from one client kept every core busy with scrypt, and every other
/// request (a booking) waited behind them. With it, a flood of logins costs at most the cores' worth of
/// hashing, and the flood's surplus gets 503 `BUSY` with `Retry-After`.
///
/// A refusal comes after `refusalDelay`, which costs the server nothing (the request sleeps) and caps what a
/// client that retries at once can send: one request per delay per connection. Refused at once, 64 connections
/// of wrong-password logins sent 3,000-4,000 requests a second, which took half of the event loops from a
/// booking rush beside them (its p99 2.4-3.3x its idle value); with 250 ms they sent 700 and the rush's p99 was
/// 1.5-1.7x (README, "Benchmarks").
final class HashingSlots: Sendable {
    private let admitted = Mutex(0)
    let running: Int
    let waiting: Int
    let refusalDelay: Duration

    init(running: Int, waiting: Int, refusalDelay: Duration) {
        self.running = max(1, running)
        self.waiting = max(0, waiting)
        self.refusalDelay = refusalDelay
    }

    /// Runs `work` when a place is free; throws `AuthError.busy` after `refusalDelay` when every place is taken.
    func withSlot<T>(_ work: () async throws -> T) async throws -> T {
        let capacity = running + waiting
        let admittedNow = admitted.withLock { count -> Bool in
            guard count < capacity else { return false }
            count += 1
            return true
        }
        guard admittedNow else {
            if refusalDelay > .zero { try await Task.sleep(for: refusalDelay) }
            throw AuthError.busy
        }
        defer { admitted.withLock { $0 -= 1 } }
        return try await work()
    }

    /// Hashes admitted and not finished: running, or waiting for a thread.
    var inUse: Int { admitted.withLock { $0 } }
}
