import CoreMetrics

/// What the booking writer reports through swift-metrics, to the factory App chose (none: nothing is kept).
struct WriterMetrics: Sendable {

    /// Commands per batch (one transaction, one fsync).
    let batchSize: Recorder
    /// From BEGIN IMMEDIATE to a durable COMMIT of a batch.
    let commitDuration: CoreMetrics.Timer
    /// Batches run a second time, each command in a savepoint, because a command refused after it wrote.
    let batchesRunAgain: Counter

    init(factory: any MetricsFactory) {
        batchSize = Recorder(label: WriterMetricsLabels.batchSize, dimensions: [], aggregate: true, factory: factory)
        commitDuration = CoreMetrics.Timer(label: WriterMetricsLabels.commitDuration, dimensions: [], factory: factory)
        batchesRunAgain = Counter(label: WriterMetricsLabels.batchesRunAgain, dimensions: [], factory: factory)
    }
}

/// The names of the writer's metrics, for a factory that gives them their own buckets.
public enum WriterMetricsLabels {
    public static let batchSize = "eventbooking_writer_batch_size"
    public static let commitDuration = "eventbooking_writer_commit_duration_seconds"
    public static let batchesRunAgain = "eventbooking_writer_batches_run_again_total"
}
