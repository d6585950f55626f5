import Foundation
import Synchronization

/// Recently read users by id, so that an authenticated request does not read its user from SQLite.
///
/// Every change of a user in this process goes through Storage, which replaces or drops the entry. A
/// change made by another process (a repair tool) is seen once the entry is older than `lifetime`. At
/// most `capacity` users are kept; when it is full the cache starts again empty, which keeps it bounded
/// without bookkeeping on the hot path.
final class UserCache: Sendable {
    private struct Entry {
        var user: User
        var storedAt: ContinuousClock.Instant
    }

    private let entries = Mutex<[Int64: Entry]>([:])
    let capacity: Int
    let lifetime: Duration

    init(capacity: Int = 10_000, lifetime: Duration = .seconds(60)) {
        self.capacity = capacity
        self.lifetime = lifetime
    }

    /// The cached user, or nil when absent or older than `lifetime`.
    func user(id: Int64) -> User? {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[id] else { return nil }
            guard now - entry.storedAt < lifetime else {
                entries[id] = nil
                return nil
            }
            return entry.user
        }
    }

    func store(_ user: User) {
        guard let id = user.id else { return }
        let entry = Entry(user: user, storedAt: .now)
        entries.withLock { entries in
            if entries.count >= capacity, entries[id] == nil { entries.removeAll(keepingCapacity: true) }
            entries[id] = entry
        }
    }

    func removeAll() {
        entries.withLock { $0.removeAll() }
    }

    func remove(id: Int64) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }
}
