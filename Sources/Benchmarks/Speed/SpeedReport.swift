/// What `loupe bench speed` measured at one tier: per engine, import, size, latency by query type at the
/// engine and through HTTP, throughput under concurrency, and the ratio to plain PostgreSQL.
public struct SpeedReport: Sendable, Codable {
    public struct Import: Sendable, Codable {
        public var documentsPerSecond: Double
        public var seconds: Double
        public var megabytesPerSecond: Double?

        enum CodingKeys: String, CodingKey {
            case documentsPerSecond = "documents_per_second", seconds, megabytesPerSecond = "megabytes_per_second"
        }
    }

    public struct Size: Sendable, Codable {
        public var diskBytes: Int?
        public var memoryBytes: Int?

        enum CodingKeys: String, CodingKey { case diskBytes = "disk_bytes", memoryBytes = "memory_bytes" }
    }

    public struct Throughput: Sendable, Codable {
        public var clients: Int
        public var queriesPerSecond: Double
        public var errors: Int

        enum CodingKeys: String, CodingKey { case clients, queriesPerSecond = "queries_per_second", errors }
    }

    public struct Engine: Sendable, Codable {
        /// plain-postgres, postgres or memory.
        public var engine: String
        public var importMeasurement: Import?
        public var size: Size?
        /// "engine" and "http" -> query type -> latency.
        public var latency: [String: [String: LatencySummary]]
        public var throughput: [Throughput]
        /// Per query type: the median over queries of plain time / this engine's time (engine measurement).
        public var ratioToPlain: [String: Double]?
        public var errors: Int

        enum CodingKeys: String, CodingKey {
            case engine, importMeasurement = "import", size, latency, throughput, ratioToPlain = "ratio_to_plain", errors
        }
    }

    public struct QueryTiming: Sendable, Codable {
        public var kind: String
        public var query: String
        public var matches: Int
        /// Engine name -> median milliseconds at the engine.
        public var milliseconds: [String: Double]
    }

    public var kind = "speed"
    public var tier: String
    public var synthetic: Bool
    public var documents: Int
    public var command: String
    public var machine: [String: String]
    public var rounds: Int
    public var engines: [Engine]
    public var queries: [QueryTiming]
    public var notes: [String]
}
