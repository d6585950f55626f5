/// A nudge from request handlers to the delivery service: "a transaction just added mail".
///
/// Signals are coalesced: many bookings in a burst wake the service once.
public final class OutboxWakeUp: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public func signal() {
        continuation.yield()
    }

    /// Returns at the next signal (or one already waiting), or after `timeout`, whichever comes first.
    public func wait(timeout: Duration) async {
        let stream = self.stream
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var iterator = stream.makeAsyncIterator()
                _ = await iterator.next()
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }
}
