import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import Storage
import Synchronization

/// `GET /events/:id/availability`: the event's seats as Server-Sent Events, public. One message at once with
/// the current count, then one after every commit that changes it: `{"eventId", "availableSeats", "status"}`.
///
/// The writer never waits for a stream: it marks the event changed, and `SeatFeed` hands each stream the newest
/// value. Streams are bounded (`SSE_MAX_CLIENTS`); past the bound the answer is 503 `TOO_MANY_STREAMS`. A comment
/// every `keepAlive` keeps proxies from closing a quiet stream and finds clients that left. Streams end when the
/// service shuts down.
struct AvailabilityController {
    let database: AppDatabase
    let slots: StreamSlots
    var keepAlive: Duration = .seconds(15)

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("events/:id/availability", use: stream)
    }

    @Sendable func stream(_ request: Request, context: AppRequestContext) async throws -> Response {
        let eventId = try EventController.eventId(context)
        // Watch first, then read: a change between the two is in the stream, never lost.
        let updates = database.watchAvailability(eventId: eventId)
        let event = try await database.event(id: eventId, viewerId: context.user?.id).event
        guard slots.take() else {
            throw AppError(
                status: .serviceUnavailable, code: "TOO_MANY_STREAMS", message: "Too many live seat streams are open; try again shortly",
                headers: [.retryAfter: "5"])
        }
        let slots = self.slots
        let keepAlive = self.keepAlive
        let (body, sink) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingNewest(16))
        let current = SeatAvailability(eventId: eventId, availableSeats: event.availableSeats, status: event.status)
        sink.yield(Self.message(current))
        let forward = Task {
            var last = current
            await withGracefulShutdownHandler {
                for await value in updates where value != last {
                    last = value
                    sink.yield(Self.message(value))
                }
            } onGracefulShutdown: {
                sink.finish()
            }
            sink.finish()
        }
        let ticks = Task {
            while (try? await Task.sleep(for: keepAlive)) != nil {
                sink.yield(ByteBuffer(string: ": keep-alive\n\n"))
            }
        }
        sink.onTermination = { _ in
            forward.cancel()
            ticks.cancel()
            slots.give()
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
            body: ResponseBody(asyncSequence: body))
    }

    static func message(_ value: SeatAvailability) -> ByteBuffer {
        ByteBuffer(string: #"data: {"eventId":\#(value.eventId),"availableSeats":\#(value.availableSeats),"status":"\#(value.status.rawValue)"}"# + "\n\n")
    }
}

/// A bound on something that is open at once (live seat streams): `take` a place, `give` it back.
final class StreamSlots: Sendable {
    let limit: Int
    private let used = Mutex(0)

    init(limit: Int) { self.limit = limit }

    /// Takes a place; false when all `limit` are taken.
    func take() -> Bool {
        used.withLock { used in
            guard used < limit else { return false }
            used += 1
            return true
        }
    }

    func give() { used.withLock { $0 -= 1 } }

    var inUse: Int { used.withLock { $0 } }
}
