extension RelevanceReport {
    /// One ranking setup and its mean scores.
    public struct System: Codable, Sendable, Equatable {
        /// The engine that ran the queries.
        public enum Engine: String, Codable, Sendable, CaseIterable {
            /// Loupe's query service on PostgreSQL.
            case postgres
            /// Loupe's in-memory inverted index.
            case memory
            /// PostgreSQL's own full-text search queried directly, the baseline Loupe has to beat.
            case plainPostgres = "plain-postgres"
        }

        private enum CodingKeys: String, CodingKey {
            case name, engine, ranking, match, parameters, metrics
            case medianMS = "median_ms"
        }

        /// Unique within a report; comparisons refer to systems by it.
        public var name: String
        public var engine: Engine
        /// The ranking function, as SearchCore spells it: "bm25", "ts_rank", "ts_rank_cd".
        public var ranking: String
        /// The match mode, as SearchCore spells it: "any", "all", "auto".
        public var match: String
        /// Settings that shape the ranking, e.g. ["k1": "0.9", "b": "0.4", "title weight": "A"].
        public var parameters: [String: String]
        /// Mean score per metric, keyed by the metric's description ("nDCG@10", "MAP@1000", ...).
        public var metrics: [String: Double]
        /// Median wall time per query in milliseconds; nil (JSON null) when not measured.
        public var medianMS: Double?

        public init(
            name: String, engine: Engine, ranking: String, match: String, parameters: [String: String] = [:],
            metrics: [String: Double], medianMS: Double?
        ) {
            self.name = name
            self.engine = engine
            self.ranking = ranking
            self.match = match
            self.parameters = parameters
            self.metrics = metrics
            self.medianMS = medianMS
        }

        /// A system scored by `evaluation`, reporting the mean of each of `metrics` (0 where the evaluation has no
        /// mean for it, as when it scored no query).
        public init(
            name: String, engine: Engine, ranking: String, match: String, parameters: [String: String] = [:],
            evaluation: Evaluation, medianMS: Double?, metrics: [Metric]
        ) {
            self.init(
                name: name, engine: engine, ranking: ranking, match: match, parameters: parameters,
                metrics: Dictionary(metrics.map { ($0.description, evaluation.mean[$0] ?? 0) }, uniquingKeysWith: { first, _ in first }),
                medianMS: medianMS)
        }

        /// Written out by hand only to keep `median_ms` as an explicit null, so readers of the JSON find every key.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(engine, forKey: .engine)
            try container.encode(ranking, forKey: .ranking)
            try container.encode(match, forKey: .match)
            try container.encode(parameters, forKey: .parameters)
            try container.encode(metrics, forKey: .metrics)
            try container.encode(medianMS, forKey: .medianMS)
        }
    }
}
