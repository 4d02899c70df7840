/// p50/p95/p99 of per-query latencies (each query's median over the timed rounds), in milliseconds.
public struct LatencySummary: Sendable, Codable, Equatable {
    public var queries: Int
    public var p50: Double
    public var p95: Double
    public var p99: Double

    enum CodingKeys: String, CodingKey {
        case queries
        case p50 = "p50_ms"
        case p95 = "p95_ms"
        case p99 = "p99_ms"
    }

    public init?(_ milliseconds: [Double]) {
        guard !milliseconds.isEmpty else { return nil }
        let sorted = milliseconds.sorted()
        queries = sorted.count
        p50 = Self.nearestRank(sorted, 0.50)
        p95 = Self.nearestRank(sorted, 0.95)
        p99 = Self.nearestRank(sorted, 0.99)
    }

    /// The value at fraction `p` of an ascending, non-empty list (nearest rank).
    public static func nearestRank(_ sorted: [Double], _ p: Double) -> Double {
        sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))]
    }

    /// The median of `values`; nil when empty.
    public static func median(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : nearestRank(values.sorted(), 0.5)
    }
}
