import CoreMetrics
import Prometheus
import Storage

/// The service's Prometheus metrics: one registry per application (no global state, so tests each see their
/// own), filled through swift-metrics by the request middleware, the controllers and Storage's writer, and
/// written out by `GET /metrics`. Every metric is listed in the README.
final class ServiceMetrics: Sendable {
    /// What a `POST /bookings` came to, as `eventbooking_bookings_total{outcome}` counts it.
    enum BookingOutcome: String, CaseIterable, Sendable {
        case confirmed, replayed
        case soldOut = "sold_out"
        case notBookable = "not_bookable"
        case limited
        case error
    }

    let registry = PrometheusCollectorRegistry()
    /// Hands swift-metrics' API (used by Storage and the middleware) to `registry`, with buckets that fit what
    /// each histogram measures.
    let factory: PrometheusMetricsFactory
    private let bookings: [BookingOutcome: CoreMetrics.Counter]
    private let cancellations: CoreMetrics.Counter
    private let outboxPending: Prometheus.Gauge
    private let outboxFailed: Prometheus.Gauge
    private let outboxOldestPending: Prometheus.Gauge

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
        ]
        factory.valueHistogramBuckets[WriterMetricsLabels.batchSize] = [1, 2, 4, 8, 16, 32, 64, 128, 256]
        self.factory = factory
        bookings = Dictionary(uniqueKeysWithValues: BookingOutcome.allCases.map { outcome in
            (outcome, CoreMetrics.Counter(label: "eventbooking_bookings_total", dimensions: [("outcome", outcome.rawValue)], factory: factory))
        })
        cancellations = CoreMetrics.Counter(label: "eventbooking_cancellations_total", factory: factory)
        outboxPending = registry.makeGauge(
            descriptor: .init(namespace: "eventbooking", metricName: "outbox_pending", unitName: "", helpText: "mails waiting to be sent"))
        outboxFailed = registry.makeGauge(
            descriptor: .init(namespace: "eventbooking", metricName: "outbox_failed", unitName: "", helpText: "mails given up on"))
        outboxOldestPending = registry.makeGauge(
            descriptor: .init(
                namespace: "eventbooking", metricName: "outbox_oldest_pending", unitName: "seconds",
                helpText: "age of the oldest mail waiting to be sent (0: none)"))
    }

    func recordBooking(_ outcome: BookingOutcome) {
        bookings[outcome]?.increment()
    }

    func recordCancellation() {
        cancellations.increment()
    }

    /// A request refused by the rate limit `limit` (`RATE_LIMIT_<limit>`, lowercased).
    func recordRateLimited(_ limit: String) {
        CoreMetrics.Counter(label: "eventbooking_rate_limited_total", dimensions: [("limit", limit)], factory: factory).increment()
    }

    /// The text of every metric, with the outbox's gauges read from `outbox` first.
    func exposition(outbox: OutboxSummary) -> [UInt8] {
        outboxPending.set(Double(outbox.pending))
        outboxFailed.set(Double(outbox.failed))
        outboxOldestPending.set(outbox.oldestPendingAge ?? 0)
        return registry.emitToBuffer()
    }
}
