public import Metrics
public import Prometheus

/// Request, search and pool metrics in one Prometheus registry, served at `/metrics`. The registry is the
/// application's own (not a process-wide bootstrap), so several applications, as in tests, never share
/// counters.
public final class APIMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        let buckets: [Duration] = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        ]
        factory.defaultDurationHistogramBuckets = buckets
        self.factory = factory
    }

    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let dimensions = [("method", method), ("route", route), ("status", String(status))]
        Counter(label: "loupe_http_requests_total", dimensions: dimensions, factory: factory).increment()
        Metrics.Timer(label: "loupe_http_request_duration_seconds", dimensions: dimensions, factory: factory)
            .recordInterval(duration)
    }

    func recordSearch(engine: String, duration: Duration) {
        Metrics.Timer(label: "loupe_search_duration_seconds", dimensions: [("engine", engine)], factory: factory)
            .recordInterval(duration)
    }

    func recordGauge(_ name: String, labels: [(String, String)], value: Double) {
        Gauge(label: name, dimensions: labels, factory: factory).record(value)
    }

    /// Prometheus text exposition format.
    func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}

extension Metrics.Timer {
    func recordInterval(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
