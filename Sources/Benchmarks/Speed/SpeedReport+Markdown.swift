import Foundation

extension SpeedReport {
    /// The report as Markdown: latency by query type per engine and measurement point, ratios to plain
    /// PostgreSQL, import, size and throughput, then how it was measured.
    public func markdown() -> String {
        let kinds = ["term", "intersection", "union", "phrase", "all", "high-match", "over-50k-matches"]
        var text = "# Speed at tier \(tier) (\(documents) documents\(synthetic ? ", synthetic" : ""))\n\n"
        text += "Command: `\(command)`\n\n"
        text += "## Latency at the engine (ms; per query the median of \(rounds) rounds, then over queries)\n\n"
        text += "| query type | n | " + engines.map { "\($0.engine) p50 | \($0.engine) p95" }.joined(separator: " | ") + " | "
            + engines.filter { $0.ratioToPlain != nil }.map { "\($0.engine) speed-up vs plain" }.joined(separator: " | ") + " |\n"
        text += "|---|---|" + String(repeating: "---|", count: engines.count * 2 + engines.filter { $0.ratioToPlain != nil }.count) + "\n"
        for kind in kinds {
            guard let count = engines.first?.latency["engine"]?[kind]?.queries else { continue }
            text += "| \(kind) | \(count) | "
            text += engines.map { engine in
                guard let summary = engine.latency["engine"]?[kind] else { return "– | –" }
                return "\(Self.ms(summary.p50)) | \(Self.ms(summary.p95))"
            }.joined(separator: " | ")
            text += " | " + engines.compactMap { $0.ratioToPlain }.map { ratios in
                ratios[kind].map { String(format: "%.1fx", $0) } ?? "–"
            }.joined(separator: " | ") + " |\n"
        }
        let httpEngines = engines.filter { $0.latency["http"] != nil }
        if !httpEngines.isEmpty {
            text += "\n## Latency through the HTTP API (ms)\n\n"
            text += "| query type | " + httpEngines.map { "\($0.engine) p50 | \($0.engine) p95 | \($0.engine) p99" }.joined(separator: " | ") + " |\n"
            text += "|---|" + String(repeating: "---|", count: httpEngines.count * 3) + "\n"
            for kind in kinds {
                guard httpEngines.contains(where: { $0.latency["http"]?[kind] != nil }) else { continue }
                text += "| \(kind) | " + httpEngines.map { engine in
                    guard let summary = engine.latency["http"]?[kind] else { return "– | – | –" }
                    return "\(Self.ms(summary.p50)) | \(Self.ms(summary.p95)) | \(Self.ms(summary.p99))"
                }.joined(separator: " | ") + " |\n"
            }
        }
        text += "\n## Import, size, throughput\n\n"
        text += "| engine | import docs/s | import s | disk MB | memory MB | " + (engines.first?.throughput.map { "\($0.clients) clients q/s" } ?? []).joined(separator: " | ") + " | errors |\n"
        text += "|---|---|---|---|---|" + String(repeating: "---|", count: (engines.first?.throughput.count ?? 0) + 1) + "\n"
        for engine in engines {
            let importRate = engine.importMeasurement.map { String(format: "%.0f", $0.documentsPerSecond) } ?? "–"
            let importSeconds = engine.importMeasurement.map { String(format: "%.1f", $0.seconds) } ?? "–"
            let disk = engine.size?.diskBytes.map { String(format: "%.0f", Double($0) / 1_048_576) } ?? "–"
            let memory = engine.size?.memoryBytes.map { String(format: "%.0f", Double($0) / 1_048_576) } ?? "–"
            let throughput = engine.throughput.map { String(format: "%.0f", $0.queriesPerSecond) }.joined(separator: " | ")
            text += "| \(engine.engine) | \(importRate) | \(importSeconds) | \(disk) | \(memory) | \(throughput) | \(engine.errors) |\n"
        }
        text += "\n" + notes.map { "- \($0)" }.joined(separator: "\n") + "\n"
        text += "\nMachine: \(MachineFacts.line(machine)).\n"
        return text
    }

    private static func ms(_ value: Double) -> String {
        value < 10 ? String(format: "%.2f", value) : String(format: "%.1f", value)
    }
}
