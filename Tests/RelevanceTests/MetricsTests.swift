import Relevance
import Testing

/// Metric values with a known float error: log2 makes nDCG inexact, so compare to 1e-6.
private func close(_ value: Double?, _ expected: Double) -> Bool {
    guard let value else { return false }
    return abs(value - expected) < 1e-6
}

@Suite struct MetricsTests {
    // Judged: d1 grade 2, d2 grade 1, d4 grade 1 (never retrieved), d3 grade 0. "dx" is unjudged. R = 3.
    // Ranked:  1: d3 (0)  2: d1 (2)  3: dx (unjudged, 0)  4: d2 (1), so gains by rank are [0, 2, 0, 1].
    let judgements = ["d1": 2, "d2": 1, "d3": 0, "d4": 1]
    let ranking = ["d3", "d1", "dx", "d2"]

    @Test func ndcgUsesLinearGainAndTheJudgedIdeal() {
        let scores = Evaluator.evaluate(ranking: ranking, judgements: judgements, metrics: [.ndcg(10), .ndcg(2)])
        // DCG@10 = 2/log2(3) + 1/log2(5) = 1.2618595 + 0.4306766 = 1.6925361
        // IDCG@10 = grades [2, 1, 1] = 2/log2(2) + 1/log2(3) + 1/log2(4) = 2 + 0.6309298 + 0.5 = 3.1309298
        // nDCG@10 = 1.6925361 / 3.1309298 = 0.5405858
        #expect(close(scores[.ndcg(10)], 0.5405858))
        // DCG@2 = 2/log2(3) = 1.2618595; IDCG@2 = 2 + 1/log2(3) = 2.6309298; nDCG@2 = 0.4796249
        #expect(close(scores[.ndcg(2)], 0.4796249))
    }

    @Test func averagePrecisionDividesByAllRelevantJudged() {
        let scores = Evaluator.evaluate(
            ranking: ranking, judgements: judgements, metrics: [.averagePrecision(1000), .averagePrecision(3)])
        // Relevant at ranks 2 and 4: (1/2 + 2/4) / R = (0.5 + 0.5) / 3 = 0.3333333
        #expect(close(scores[.averagePrecision(1000)], 1.0 / 3))
        // Cut at 3, only rank 2 counts: (1/2) / 3 = 0.1666667
        #expect(close(scores[.averagePrecision(3)], 1.0 / 6))
    }

    @Test func recallCountsRelevantInTheTopK() {
        let scores = Evaluator.evaluate(ranking: ranking, judgements: judgements, metrics: [.recall(3), .recall(100)])
        // Top 3 holds d1 only: 1 / 3
        #expect(close(scores[.recall(3)], 1.0 / 3))
        // k = 100 past the 4 retrieved: d1 and d2 of R = 3, so 2 / 3 (d4 was never retrieved)
        #expect(close(scores[.recall(100)], 2.0 / 3))
    }

    @Test func reciprocalRankOfTheFirstRelevantWithinK() {
        let scores = Evaluator.evaluate(
            ranking: ranking, judgements: judgements, metrics: [.reciprocalRank(10), .reciprocalRank(1)])
        // First relevant (d1) at rank 2: 1/2
        #expect(scores[.reciprocalRank(10)] == 0.5)
        // Rank 1 is d3, grade 0: nothing relevant in the top 1, so 0
        #expect(scores[.reciprocalRank(1)] == 0)
    }

    @Test func precisionDividesByKEvenPastTheRanking() {
        let scores = Evaluator.evaluate(
            ranking: ranking, judgements: judgements, metrics: [.precision(2), .precision(4), .precision(10)])
        // Top 2 = d3, d1: 1 / 2
        #expect(scores[.precision(2)] == 0.5)
        // Top 4 = d3, d1, dx, d2: 2 / 4
        #expect(scores[.precision(4)] == 0.5)
        // Only 4 retrieved, still over k: 2 / 10
        #expect(scores[.precision(10)] == 0.2)
    }

    @Test func repeatedDocumentCountsOnlyAtItsFirstRank() {
        // Judged d1 = 1, d2 = 1 (R = 2). Ranked d1, d1, d2: gains [1, 0, 1], the copy keeps rank 2 but gains nothing.
        let scores = Evaluator.evaluate(
            ranking: ["d1", "d1", "d2"], judgements: ["d1": 1, "d2": 1],
            metrics: [.precision(2), .recall(2), .averagePrecision(1000), .ndcg(10), .reciprocalRank(10)])
        // Top 2 = d1, d1 (copy): 1 / 2
        #expect(scores[.precision(2)] == 0.5)
        // 1 of R = 2
        #expect(scores[.recall(2)] == 0.5)
        // Relevant at ranks 1 and 3: (1/1 + 2/3) / 2 = 0.8333333
        #expect(close(scores[.averagePrecision(1000)], 5.0 / 6))
        // DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) = 1.6309298; 1.5 / 1.6309298 = 0.9197208
        #expect(close(scores[.ndcg(10)], 0.9197208))
        // d1 at rank 1: 1/1
        #expect(scores[.reciprocalRank(10)] == 1)
    }

    @Test func nothingRelevantScoresZeroAndCutoffZeroDoesNotDivideByZero() {
        let nothingRelevant = Evaluator.evaluate(ranking: ["d1"], judgements: ["d1": 0], metrics: Metric.standard)
        // No relevant judged document: R = 0, IDCG = 0, so every metric is 0 rather than 0/0
        #expect(nothingRelevant.count == Metric.standard.count)
        #expect(nothingRelevant.values.allSatisfy { $0 == 0 })
        let cutAtZero = Evaluator.evaluate(ranking: ["d1"], judgements: ["d1": 1], metrics: [.precision(0), .ndcg(0)])
        // Nothing can be in the top 0
        #expect(cutAtZero[.precision(0)] == 0)
        #expect(cutAtZero[.ndcg(0)] == 0)
    }

    @Test func tiedScoresKeepTheOrderGivenWhenAskedTo() throws {
        // Both scored 1.0; the run's order (a, then b) is the ranking, not trec_eval's order.
        let run = Run(rankings: ["q": [.init(documentID: "a", score: 1.0), .init(documentID: "b", score: 1.0)]])
        let qrels = try Qrels.parse("q\ta\t1\n")
        let evaluation = Evaluator.evaluate(run, qrels: qrels, metrics: [.reciprocalRank(10), .precision(1)], order: .asRanked)
        #expect(evaluation.perQuery["q"]?[.reciprocalRank(10)] == 1)
        #expect(evaluation.perQuery["q"]?[.precision(1)] == 1)
    }

    @Test func trecEvalOrderSortsByScoreThenDocumentIDDescending() throws {
        // trec_eval ignores the given order: score descending, ties by document id descending, so b comes before a
        // and the relevant a drops to rank 3 behind the higher-scored c.
        let run = Run(rankings: ["q": [
            .init(documentID: "a", score: 1.0), .init(documentID: "b", score: 1.0), .init(documentID: "c", score: 2.0),
        ]])
        let qrels = try Qrels.parse("q\ta\t1\n")
        let evaluation = Evaluator.evaluate(run, qrels: qrels, metrics: [.reciprocalRank(10), .precision(1), .ndcg(10)])
        #expect(evaluation.perQuery["q"]?[.reciprocalRank(10)] == 1.0 / 3)
        #expect(evaluation.perQuery["q"]?[.precision(1)] == 0)
        // nDCG@10: gain 1 at rank 3, ideal gain 1 at rank 1: (1 / log2 4) / (1 / log2 2) = 0.5
        #expect(evaluation.perQuery["q"]?[.ndcg(10)] == 0.5)
        // Byte order, as strcmp: "B" (0x42) sorts below "a" (0x61), so descending puts "a" first.
        let mixed = Run(rankings: ["q": [.init(documentID: "B", score: 1.0), .init(documentID: "a", score: 1.0)]])
        #expect(Evaluator.evaluate(mixed, qrels: qrels, metrics: [.precision(1)]).perQuery["q"]?[.precision(1)] == 1)
    }

    @Test func meanSkipsQueriesWithoutRelevantDocumentsAndCountsMissingOnesAsZero() throws {
        // q1: d1 relevant, ranked first. q2: only a grade-0 judgement, skipped. q3: d5 relevant, absent from the run.
        // "extra" is in the run but not in the qrels, ignored.
        let qrels = try Qrels.parse("q1\td1\t1\nq2\td9\t0\nq3\td5\t1\n")
        let run = Run(rankings: [
            "q1": [.init(documentID: "d1", score: 3)],
            "q2": [.init(documentID: "d9", score: 2)],
            "extra": [.init(documentID: "d1", score: 1)],
        ])
        let evaluation = Evaluator.evaluate(run, qrels: qrels, metrics: Metric.standard)
        #expect(evaluation.queryCount == 2)
        #expect(Set(evaluation.perQuery.keys) == ["q1", "q3"])
        // q1: d1 at rank 1 of R = 1, so nDCG, AP, recall and RR are 1; P@10 = 1/10
        #expect(evaluation.perQuery["q1"] == [
            .ndcg(10): 1, .averagePrecision(1000): 1, .recall(100): 1, .recall(1000): 1, .reciprocalRank(10): 1,
            .precision(10): 0.1,
        ])
        // q3 retrieved nothing: every metric 0
        #expect(evaluation.perQuery["q3"]?.values.allSatisfy { $0 == 0 } == true)
        // Means over q1 and q3: (1 + 0) / 2 = 0.5 each, and P@10 (0.1 + 0) / 2 = 0.05
        #expect(evaluation.mean == [
            .ndcg(10): 0.5, .averagePrecision(1000): 0.5, .recall(100): 0.5, .recall(1000): 0.5,
            .reciprocalRank(10): 0.5, .precision(10): 0.05,
        ])
    }

    @Test func nothingToEvaluateHasNoMean() {
        let evaluation = Evaluator.evaluate(Run(), qrels: Qrels(), metrics: Metric.standard)
        #expect(evaluation.queryCount == 0)
        #expect(evaluation.perQuery.isEmpty)
        #expect(evaluation.mean.isEmpty)
    }

    @Test func metricsNameThemselvesAsReportsDo() {
        #expect(Metric.standard.map(\.description) == ["nDCG@10", "MAP@1000", "Recall@100", "Recall@1000", "MRR@10", "P@10"])
    }
}
