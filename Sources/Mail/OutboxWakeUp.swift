import Synchronization

/// A nudge from request handlers to the delivery service: "a transaction just added mail".
///
/// Signals are coalesced: many bookings in a burst wake the service once. One task waits at a time (the
/// delivery service).
public final class OutboxWakeUp: Sendable {
    private struct State {
        /// A signal came while nobody waited: the next wait returns at once.
        var signaled = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    public func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.signaled = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at the next signal (or one already waiting), or after `timeout`, whichever comes first.
    /// `timeout` is asked for only when no signal is waiting: during a rush one nearly always is, and the
    /// delivery service's timeout costs a read of the database.
    ///
    /// A wait that times out leaves the next one waiting as long: the signal's waiter is resumed and removed
    /// on cancellation. (Its first version cancelled an `AsyncStream`'s iterator, which ends the stream for
    /// good: after the first timeout every wait returned at once, and an idle server spun a core.)
    public func wait(timeout: () async -> Duration) async {
        let signaled = state.withLock { state in
            defer { state.signaled = false }
            return state.signaled
        }
        if signaled { return }
        await wait(timeout: await timeout())
    }

    /// The same with a fixed timeout.
    public func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.nextSignal() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func nextSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    // Checked under the lock that the cancellation handler takes too, so neither misses the other.
                    if state.signaled {
                        state.signaled = false
                        return true
                    }
                    if Task.isCancelled { return true }  // the signal, if one comes, stays for the next wait
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
