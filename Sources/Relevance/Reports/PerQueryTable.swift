/// One metric's score per query under several systems, side by side: the paired data behind a comparison, as a
/// table that R, pandas or a spreadsheet can read.
public struct PerQueryTable: Sendable, Equatable {
    /// One query's scores, in the order of ``systems``.
    public struct Row: Sendable, Equatable {
        public let queryID: String
        public let scores: [Double]
    }

    public let metric: Metric
    /// System names, the column order.
    public let systems: [String]
    /// One row per query any system was evaluated on, sorted by query id. A system that did not score a query
    /// has 0 there, as ``PairedComparison`` counts it.
    public let rows: [Row]

    public init(metric: Metric, systems: [(name: String, evaluation: Evaluation)]) {
        self.metric = metric
        self.systems = systems.map(\.name)
        let queryIDs = systems.reduce(into: Set<String>()) { $0.formUnion($1.evaluation.perQuery.keys) }.sorted()
        self.rows = queryIDs.map { queryID in
            Row(queryID: queryID, scores: systems.map { $0.evaluation.perQuery[queryID]?[metric] ?? 0 })
        }
    }

    /// Tab-separated: a header `query_id` and the system names, then a line per query. Scores are written in
    /// full (the shortest text that reads back as the same Double), so nothing is lost to rounding; tabs and line
    /// breaks in names become spaces.
    public func tsv() -> String {
        func cell(_ text: String) -> String {
            String(text.map { $0 == "\t" || $0.isNewline ? " " : $0 })
        }
        var text = (["query_id"] + systems.map(cell)).joined(separator: "\t") + "\n"
        for row in rows {
            text += ([cell(row.queryID)] + row.scores.map { "\($0)" }).joined(separator: "\t") + "\n"
        }
        return text
    }
}
