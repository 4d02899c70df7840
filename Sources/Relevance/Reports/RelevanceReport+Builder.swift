extension RelevanceReport {
    /// Assembles a report system by system. It keeps each system's ``Evaluation`` beside its report row, because
    /// comparisons and per-query tables need the per-query scores that the report itself does not record.
    public struct Builder: Sendable {
        public var dataset: String
        public var split: String
        public var documents: Int
        public var depth: Int
        public var command: String
        public var machine: [String: String]
        /// The metrics every system reports; comparisons and per-query tables may use only these.
        public let metrics: [Metric]
        /// The systems added so far, in the order added.
        public private(set) var systems: [System] = []
        private var evaluations: [String: Evaluation] = [:]

        public init(
            dataset: String, split: String, documents: Int, depth: Int, command: String, machine: [String: String],
            metrics: [Metric] = Metric.standard
        ) {
            self.dataset = dataset
            self.split = split
            self.documents = documents
            self.depth = depth
            self.command = command
            self.machine = machine
            self.metrics = metrics
        }

        /// Adds a system scored by `evaluation` (which must have been computed with at least ``metrics``).
        public mutating func add(
            name: String, engine: System.Engine, ranking: String, match: String, parameters: [String: String] = [:],
            evaluation: Evaluation, medianMS: Double?
        ) throws(RelevanceReportError) {
            guard evaluations[name] == nil else { throw .duplicateSystem(name) }
            systems.append(System(
                name: name, engine: engine, ranking: ranking, match: match, parameters: parameters,
                evaluation: evaluation, medianMS: medianMS, metrics: metrics))
            evaluations[name] = evaluation
        }

        /// The evaluation added under `name`; nil when there is no such system.
        public func evaluation(named name: String) -> Evaluation? {
            evaluations[name]
        }

        /// Every other system against `baseline`, on each of `comparisonMetrics`: systems in the order added, and
        /// within a system the metrics in the order given.
        public func comparisons(
            against baseline: String, on comparisonMetrics: [Metric] = [.ndcg(10)],
            randomization: RandomizationTest = RandomizationTest()
        ) throws(RelevanceReportError) -> [Comparison] {
            guard let baselineEvaluation = evaluations[baseline] else {
                throw .unknownSystem(baseline, known: systems.map(\.name))
            }
            try checkReported(comparisonMetrics)
            var comparisons: [Comparison] = []
            for system in systems where system.name != baseline {
                guard let evaluation = evaluations[system.name] else { continue }
                for metric in comparisonMetrics {
                    let paired = PairedComparison(
                        a: baselineEvaluation, b: evaluation, metric: metric, randomization: randomization)
                    comparisons.append(Comparison(baseline: baseline, system: system.name, paired))
                }
            }
            return comparisons
        }

        /// The report, with comparisons against `baseline` on `comparisonMetrics` when a baseline is named.
        /// `queries` is the number of distinct queries any system was evaluated on.
        public func report(
            comparingAgainst baseline: String? = nil, on comparisonMetrics: [Metric] = [.ndcg(10)],
            randomization: RandomizationTest = RandomizationTest()
        ) throws(RelevanceReportError) -> RelevanceReport {
            let comparisons =
                if let baseline {
                    try self.comparisons(against: baseline, on: comparisonMetrics, randomization: randomization)
                } else {
                    [Comparison]()
                }
            let queryIDs = evaluations.values.reduce(into: Set<String>()) { $0.formUnion($1.perQuery.keys) }
            return RelevanceReport(
                dataset: dataset, split: split, documents: documents, queries: queryIDs.count, command: command,
                machine: machine, depth: depth, systems: systems, comparisons: comparisons)
        }

        /// Each query's `metric` score under every system, for paired analysis outside Swift.
        public func perQueryTable(metric: Metric = .ndcg(10)) throws(RelevanceReportError) -> PerQueryTable {
            try checkReported([metric])
            return PerQueryTable(metric: metric, systems: systems.compactMap { system in
                evaluations[system.name].map { (name: system.name, evaluation: $0) }
            })
        }

        private func checkReported(_ wanted: [Metric]) throws(RelevanceReportError) {
            // A metric the evaluations never computed would compare as 0 against 0 everywhere: a silent tie.
            if let missing = wanted.first(where: { !metrics.contains($0) }) {
                throw .metricNotReported(missing.description, reported: metrics.map(\.description))
            }
        }
    }
}

public enum RelevanceReportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Two systems were added under one name.
    case duplicateSystem(String)
    /// A baseline named no system that was added.
    case unknownSystem(String, known: [String])
    /// A comparison or table asked for a metric the systems do not report.
    case metricNotReported(String, reported: [String])

    public var description: String {
        switch self {
        case .duplicateSystem(let name):
            "two systems are named \"\(name)\"; comparisons need unique names"
        case .unknownSystem(let name, let known):
            "no system is named \"\(name)\" (systems: \(known.map { "\"\($0)\"" }.joined(separator: ", ")))"
        case .metricNotReported(let metric, let reported):
            "\(metric) is not among the reported metrics (\(reported.joined(separator: ", ")))"
        }
    }
}
