extension RelevanceReport {
    /// A system paired with the baseline on one metric: the figures of a ``PairedComparison``, by system name.
    public struct Comparison: Codable, Sendable, Equatable {
        private enum CodingKeys: String, CodingKey {
            case baseline, system, metric, queries, wins, losses, ties
            case meanDifference = "mean_difference"
            case randomizationP = "randomization_p"
            case tTestP = "t_test_p"
        }

        /// Name of the system compared against (A).
        public var baseline: String
        /// Name of the system compared (B).
        public var system: String
        /// The metric's description, e.g. "nDCG@10".
        public var metric: String
        public var queries: Int
        /// Queries where the system beats the baseline.
        public var wins: Int
        public var losses: Int
        public var ties: Int
        /// Mean of system − baseline.
        public var meanDifference: Double
        public var randomizationP: Double
        public var tTestP: Double

        public init(
            baseline: String, system: String, metric: String, queries: Int, wins: Int, losses: Int, ties: Int,
            meanDifference: Double, randomizationP: Double, tTestP: Double
        ) {
            self.baseline = baseline
            self.system = system
            self.metric = metric
            self.queries = queries
            self.wins = wins
            self.losses = losses
            self.ties = ties
            self.meanDifference = meanDifference
            self.randomizationP = randomizationP
            self.tTestP = tTestP
        }

        /// The figures of `comparison`, whose A is `baseline` and B is `system`.
        public init(baseline: String, system: String, _ comparison: PairedComparison) {
            self.init(
                baseline: baseline, system: system, metric: comparison.metric.description,
                queries: comparison.queryCount, wins: comparison.wins, losses: comparison.losses, ties: comparison.ties,
                meanDifference: comparison.meanDifference, randomizationP: comparison.randomizationP,
                tTestP: comparison.tTestP)
        }
    }
}
