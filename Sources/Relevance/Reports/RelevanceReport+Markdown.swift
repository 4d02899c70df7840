import Foundation

extension RelevanceReport {
    /// The report for people: what was measured, one row per system, the comparisons with their p-values, and
    /// where and how it ran. Scores have 4 decimals, median latency 1.
    public func markdown() -> String {
        let metricNames = Self.reportOrder(Set(systems.flatMap(\.metrics.keys)))
        var text = "# Relevance on \(dataset) (\(split) split, \(queries) judged queries, \(documents) documents)\n\n"
        text += "Each system retrieved the top \(depth) documents per query.\n\n"
        text += Self.tableRow(["system", "engine", "ranking", "match", "parameters"] + metricNames + ["median ms"])
        text += "|---|---|---|---|---|" + String(repeating: "---:|", count: metricNames.count + 1) + "\n"
        for system in systems {
            let parameters = system.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            text += Self.tableRow(
                [system.name, system.engine.rawValue, system.ranking, system.match,
                 parameters.isEmpty ? "–" : parameters.joined(separator: ", ")]
                    + metricNames.map { name in system.metrics[name].map { String(format: "%.4f", $0) } ?? "–" }
                    + [system.medianMS.map { String(format: "%.1f", $0) } ?? "–"])
        }
        if !comparisons.isEmpty {
            text += "\n## Paired comparisons\n\n"
            text += Self.tableRow(["baseline → system", "metric", "W/L/T", "Δ mean", "p (randomisation)", "p (t-test)"])
            text += "|---|---|---:|---:|---:|---:|\n"
            for comparison in comparisons {
                text += Self.tableRow([
                    "\(comparison.baseline) → \(comparison.system)", comparison.metric,
                    "\(comparison.wins)/\(comparison.losses)/\(comparison.ties)",
                    String(format: "%+.4f", comparison.meanDifference),
                    Self.formatP(comparison.randomizationP), Self.formatP(comparison.tTestP),
                ])
            }
            text += """

                W/L/T: queries where the system scores above, below or level with (within 1e-9 of) the baseline. \
                Both p-values are two-sided and paired by query: a sign-flip randomisation test and Student's t-test.

                """
        }
        let facts = machine.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        text += "\nMachine: \(facts.isEmpty ? "not recorded" : facts.joined(separator: "; ")).\n"
        // A code span holding a backtick needs a longer fence around it.
        text += command.contains("`") ? "Command: `` \(command) ``\n" : "Command: `\(command)`\n"
        return text
    }

    /// A p-value to 4 decimals, or "<0.0001" where 4 decimals would round it to a misleading 0.
    private static func formatP(_ p: Double) -> String {
        p < 0.0001 ? "<0.0001" : String(format: "%.4f", p)
    }

    private static func tableRow(_ cells: [String]) -> String {
        let escaped = cells.map { cell in
            cell.replacingOccurrences(of: "|", with: "\\|").map { $0.isNewline ? " " : String($0) }.joined()
        }
        return "| " + escaped.joined(separator: " | ") + " |\n"
    }

    /// Metric names ordered by kind as ``Metric/standard`` lists them, then cutoff ("Recall@100" before
    /// "Recall@1000"); names that are no ``Metric``'s description go last, alphabetically.
    private static func reportOrder(_ names: Set<String>) -> [String] {
        let metricKinds: [(Int) -> Metric] = [
            Metric.ndcg, Metric.averagePrecision, Metric.recall, Metric.reciprocalRank, Metric.precision,
        ]
        func key(_ name: String) -> (kind: Int, cutoff: Int) {
            guard let at = name.lastIndex(of: "@"), let cutoff = Int(name[name.index(after: at)...]),
                  let kind = metricKinds.firstIndex(where: { $0(cutoff).description == name })
            else { return (metricKinds.count, 0) }
            return (kind, cutoff)
        }
        return names.sorted { (key($0).kind, key($0).cutoff, $0) < (key($1).kind, key($1).cutoff, $1) }
    }
}
