import Foundation
import Relevance
import Testing

@Suite struct RelevanceReportTests {
    /// Two judged queries. BM25 beats ts_rank by 0.25 nDCG@10 on both and ties on recall.
    func builder() throws -> RelevanceReport.Builder {
        var builder = RelevanceReport.Builder(
            dataset: "scifact", split: "test", documents: 5183, depth: 100,
            command: "swift run -c release BenchRelevance --dataset corpus/scifact",
            machine: ["cpu": "Test CPU", "cores": "2"], metrics: [.recall(100), .ndcg(10)])
        try builder.add(
            name: "BM25", engine: .postgres, ranking: "bm25", match: "auto", parameters: ["k1": "0.9", "b": "0.4"],
            evaluation: Evaluation(perQuery: [
                "q1": [.ndcg(10): 0.5, .recall(100): 1], "q2": [.ndcg(10): 0.25, .recall(100): 0.5],
            ]),
            medianMS: 12.34)
        try builder.add(
            name: "ts_rank", engine: .plainPostgres, ranking: "ts_rank", match: "any",
            evaluation: Evaluation(perQuery: [
                "q1": [.ndcg(10): 0.25, .recall(100): 1], "q2": [.ndcg(10): 0, .recall(100): 0.5],
            ]),
            medianMS: nil)
        try builder.add(
            name: "memory | all", engine: .memory, ranking: "bm25", match: "all",
            evaluation: Evaluation(perQuery: ["q1": [.ndcg(10): 0.5, .recall(100): 0.5]]), medianMS: 0.31)
        return builder
    }

    @Test func buildsSystemsAndComparesEachWithTheBaseline() throws {
        let report = try builder().report(comparingAgainst: "ts_rank", on: [.ndcg(10), .recall(100)])
        #expect(report.kind == "relevance")
        // q1 and q2: the memory system's missing q2 does not shrink the count.
        #expect(report.queries == 2)
        #expect(report.systems.map(\.name) == ["BM25", "ts_rank", "memory | all"])
        #expect(report.systems[0].metrics == ["nDCG@10": 0.375, "Recall@100": 0.75])
        // Two systems besides the baseline, two metrics each.
        #expect(report.comparisons.count == 4)
        #expect(report.comparisons.map { "\($0.system) \($0.metric)" } == [
            "BM25 nDCG@10", "BM25 Recall@100", "memory | all nDCG@10", "memory | all Recall@100",
        ])
        let first = report.comparisons[0]
        // BM25 − ts_rank on nDCG@10: +0.25 on q1 and q2. Exact flips: 2 of 4 reach |0.5|; t-test limit 0.
        #expect(first == RelevanceReport.Comparison(
            baseline: "ts_rank", system: "BM25", metric: "nDCG@10", queries: 2, wins: 2, losses: 0, ties: 0,
            meanDifference: 0.25, randomizationP: 0.5, tTestP: 0))
        #expect(try builder().report().comparisons.isEmpty)
    }

    @Test func roundTripsThroughJSONWithSnakeCaseKeys() throws {
        let report = try builder().report(comparingAgainst: "BM25")
        let data = try report.jsonData()
        #expect(try JSONDecoder().decode(RelevanceReport.self, from: data) == report)
        let json = String(decoding: data, as: UTF8.self)
        for key in [
            "\"kind\" : \"relevance\"", "\"median_ms\" : 12.34", "\"mean_difference\"", "\"randomization_p\"",
            "\"t_test_p\"", "\"engine\" : \"plain-postgres\"", "\"nDCG@10\" : 0.375",
            // Not measured is written, not left out; slashes stay as typed.
            "\"median_ms\" : null", "--dataset corpus/scifact",
        ] {
            #expect(json.contains(key), "missing \(key)")
        }
        #expect(!json.contains("medianMS"))
    }

    @Test func rendersMarkdownTables() throws {
        let markdown = try builder().report(comparingAgainst: "ts_rank", on: [.ndcg(10)]).markdown()
        let lines = markdown.split(separator: "\n").map(String.init)
        #expect(lines.first == "# Relevance on scifact (test split, 2 judged queries, 5183 documents)")
        // Metric columns in report order (nDCG before Recall), though the builder listed Recall first.
        for row in [
            "| system | engine | ranking | match | parameters | nDCG@10 | Recall@100 | median ms |",
            "|---|---|---|---|---|---:|---:|---:|",
            "| BM25 | postgres | bm25 | auto | b=0.4, k1=0.9 | 0.3750 | 0.7500 | 12.3 |",
            "| ts_rank | plain-postgres | ts_rank | any | – | 0.1250 | 0.7500 | – |",
            #"| memory \| all | memory | bm25 | all | – | 0.5000 | 0.5000 | 0.3 |"#,
            "| baseline → system | metric | W/L/T | Δ mean | p (randomisation) | p (t-test) |",
            "| ts_rank → BM25 | nDCG@10 | 2/0/0 | +0.2500 | 0.5000 | <0.0001 |",
            // memory − ts_rank: q1 0.5 − 0.25, q2 0 − 0 (missing): one win, one tie, mean +0.125.
            // Exact flips of the one nonzero difference: both as extreme, p = 1; t = 0.125 / (0.125 / √2) on 1 df.
            #"| ts_rank → memory \| all | nDCG@10 | 1/0/1 | +0.1250 | 1.0000 | 0.5000 |"#,
            "Machine: cores 2; cpu Test CPU.",
            "Command: `swift run -c release BenchRelevance --dataset corpus/scifact`",
        ] {
            #expect(lines.contains(row), "missing \(row)")
        }
    }

    @Test func markdownWithoutComparisonsHasNoComparisonTable() throws {
        let markdown = try builder().report().markdown()
        #expect(!markdown.contains("Paired comparisons"))
        #expect(markdown.contains("| BM25 | postgres |"))
    }

    @Test func namesAndMetricsAreChecked() throws {
        var builder = try builder()
        #expect(throws: RelevanceReportError.duplicateSystem("BM25")) {
            try builder.add(name: "BM25", engine: .memory, ranking: "bm25", match: "any", evaluation: Evaluation(perQuery: [:]), medianMS: nil)
        }
        #expect(throws: RelevanceReportError.unknownSystem("bm25", known: ["BM25", "ts_rank", "memory | all"])) {
            try builder.report(comparingAgainst: "bm25")
        }
        #expect(throws: RelevanceReportError.metricNotReported("P@10", reported: ["Recall@100", "nDCG@10"])) {
            try builder.comparisons(against: "BM25", on: [.precision(10)])
        }
        #expect(RelevanceReportError.unknownSystem("x", known: ["a", "b"]).description == #"no system is named "x" (systems: "a", "b")"#)
    }

    @Test func perQueryTableForAnalysisElsewhere() throws {
        let table = try builder().perQueryTable()
        #expect(table.systems == ["BM25", "ts_rank", "memory | all"])
        // The memory system never scored q2: 0 there, as in the comparisons.
        #expect(table.tsv() == """
            query_id\tBM25\tts_rank\tmemory | all
            q1\t0.5\t0.25\t0.5
            q2\t0.25\t0.0\t0.0

            """)
        let recall = try builder().perQueryTable(metric: .recall(100))
        #expect(recall.rows.map(\.scores) == [[1, 1, 0.5], [0.5, 0.5, 0]])
    }
}
