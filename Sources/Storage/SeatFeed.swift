import Foundation
import Synchronization

/// An event's seats as a live counter shows them.
public struct SeatAvailability: Sendable, Equatable {
    public var eventId: Int64
    public var availableSeats: Int
    public var status: EventStatus

    public init(eventId: Int64, availableSeats: Int, status: EventStatus) {
        self.eventId = eventId
        self.availableSeats = availableSeats
        self.status = status
    }
}

/// Tells whoever watches an event (the live seat counters) its availability after each commit that changed it.
///
/// Writers only mark an event changed, after their commit: a lock, a set insert, and nothing at all when no one
/// watches the event. One publishing task reads the marked events (one read for all of them) and hands every
/// watcher the value. A watcher keeps only the newest value it has not taken yet, so a slow one skips the
/// values in between and never holds anything up; a rush of bookings costs one read per round of publishing,
/// not one per booking.
final class SeatFeed: Sendable {
    typealias Watcher = AsyncStream<SeatAvailability>.Continuation

    private struct State {
        var watchers: [Int64: [UUID: Watcher]] = [:]
        var changed: Set<Int64> = []
        var publishing = false
    }

    private let state = Mutex(State())
    /// Reads the availability of the given events, as everyone reads it.
    private let read: @Sendable ([Int64]) async throws -> [SeatAvailability]

    init(read: @escaping @Sendable ([Int64]) async throws -> [SeatAvailability]) {
        self.read = read
    }

    /// The availability of event `eventId` after every later commit that changes it, until the stream is dropped.
    func watch(eventId: Int64) -> AsyncStream<SeatAvailability> {
        let (stream, continuation) = AsyncStream.makeStream(of: SeatAvailability.self, bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        state.withLock { $0.watchers[eventId, default: [:]][id] = continuation }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { state in
                state.watchers[eventId]?[id] = nil
                if state.watchers[eventId]?.isEmpty == true { state.watchers[eventId] = nil }
            }
        }
        return stream
    }

    /// How many watchers there are, over every event.
    var watcherCount: Int { state.withLock { $0.watchers.values.reduce(0) { $0 + $1.count } } }

    /// Marks event `eventId` changed by a commit; its watchers hear of it soon after.
    func changed(_ eventId: Int64) {
        let start = state.withLock { state -> Bool in
            guard state.watchers[eventId] != nil else { return false }
            state.changed.insert(eventId)
            defer { state.publishing = true }
            return !state.publishing
        }
        if start { Task { await publish() } }
    }

    /// Publishes until no change is left unpublished.
    private func publish() async {
        while true {
            let ids = state.withLock { state -> [Int64] in
                let ids = Array(state.changed)
                state.changed.removeAll()
                if ids.isEmpty { state.publishing = false }
                return ids
            }
            if ids.isEmpty { return }
            // A failed read (a storage fault) skips this round; the next change publishes the event again.
            guard let values = try? await read(ids) else { continue }
            let watchers = state.withLock { state in values.map { (value: $0, watchers: Array((state.watchers[$0.eventId] ?? [:]).values)) } }
            for (value, watchers) in watchers {
                for watcher in watchers { watcher.yield(value) }
            }
        }
    }
}
