import Foundation
import Synchronization

/// Recently read events with their organizer's name, so that an event page is not a SQLite read.
///
/// Kept correct by the writers in this process: every write to an event invalidates its entry once it
/// has committed. A read that raced a commit must not put the old row back, so `store` takes the
/// generation read before the database was asked, and stores nothing when any invalidation came in
/// between. An entry also ends when the event's next hold lapses (`EventDetails.validUntil`), since from then
/// on its seats count as available again. A change made by another process is seen once the entry is older than `lifetime`. At most
/// `capacity` events are kept; when it is full the cache starts again empty.
final class EventCache: Sendable {
    private struct State {
        var entries: [Int64: (details: EventDetails, storedAt: ContinuousClock.Instant)] = [:]
        var generation = 0
    }

    private let state = Mutex(State())
    let capacity: Int
    let lifetime: Duration

    init(capacity: Int = 10_000, lifetime: Duration = .seconds(2)) {
        self.capacity = capacity
        self.lifetime = lifetime
    }

    /// Changes with every invalidation; read it before asking the database.
    var generation: Int { state.withLock { $0.generation } }

    /// The cached event, or nil when absent, older than `lifetime`, or past its `validUntil`.
    func details(id: Int64) -> EventDetails? {
        let now = ContinuousClock.now
        let details = state.withLock { state -> EventDetails? in
            guard let entry = state.entries[id], now - entry.storedAt < lifetime else { return nil }
            return entry.details
        }
        if let validUntil = details?.validUntil, validUntil <= Date() { return nil }
        return details
    }

    /// Stores `details` unless an invalidation came after `generation` was read.
    func store(_ details: EventDetails, readAt generation: Int) {
        guard let id = details.event.id else { return }
        let entry = (details: details, storedAt: ContinuousClock.now)
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[id] = entry
        }
    }

    /// Forgets every event.
    func removeAll() {
        state.withLock { state in
            state.generation += 1
            state.entries.removeAll()
        }
    }

    /// Forgets event `id`; called after every committed write to it.
    func invalidate(id: Int64) {
        state.withLock { state in
            state.generation += 1
            state.entries[id] = nil
        }
    }
}
