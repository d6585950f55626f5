import CoreMetrics
import HTTPTypes
import Hummingbird
import Synchronization

/// Counts every request by method, route pattern (never the raw path: `/events/{id}`, not `/events/7`) and
/// status, and records the time until its response is ready (a streamed CSV's rows come after that):
/// `eventbooking_http_requests_total` and `eventbooking_http_request_duration_seconds`.
///
/// Outermost middleware: it sees the answer the client gets, errors included once `ErrorMiddleware` made
/// them responses. The metric objects of each (method, route, status) are made once and kept.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private struct Key: Hashable {
        var method: HTTPRequest.Method
        var route: String
        var status: HTTPResponse.Status
    }

    private final class Cache: Sendable {
        let entries = Mutex<[Key: (requests: Counter, duration: CoreMetrics.Timer)]>([:])
    }

    let factory: any MetricsFactory
    private let cache = Cache()

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request.method, context.endpointPath ?? "unmatched", response.status, since: started)
            return response
        } catch {
            // Only what ErrorMiddleware did not turn into a response gets here.
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            record(request.method, context.endpointPath ?? "unmatched", status, since: started)
            throw error
        }
    }

    private func record(_ method: HTTPRequest.Method, _ route: String, _ status: HTTPResponse.Status, since started: ContinuousClock.Instant) {
        let key = Key(method: method, route: route, status: status)
        let metrics = cache.entries.withLock { entries in
            if let found = entries[key] { return found }
            let dimensions = [("method", method.rawValue), ("route", route), ("status", String(status.code))]
            let made = (
                requests: Counter(label: "eventbooking_http_requests_total", dimensions: dimensions, factory: factory),
                duration: CoreMetrics.Timer(label: "eventbooking_http_request_duration_seconds", dimensions: dimensions, factory: factory)
            )
            entries[key] = made
            return made
        }
        metrics.requests.increment()
        let elapsed = (ContinuousClock.now - started).components
        metrics.duration.recordNanoseconds(elapsed.seconds * 1_000_000_000 + elapsed.attoseconds / 1_000_000_000)
    }
}
