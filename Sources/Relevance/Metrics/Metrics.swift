import Foundation

/// A retrieval metric cut at rank `k`, computed as trec_eval does it (the trec_eval measure is named on each case).
///
/// A document is relevant when its grade is above 0; unjudged documents are not relevant. A document repeated in a
/// ranking counts at its first rank only: the later copies keep their places but gain nothing. A cutoff below 1
/// scores 0.
public enum Metric: Hashable, Sendable, CustomStringConvertible {
    /// DCG with linear gain (the grade) and a log2(rank + 1) discount, over the DCG of the judged grades sorted best
    /// first, both cut at k (`ndcg_cut.k`).
    case ndcg(Int)
    /// Sum of the precision at each relevant rank up to k, over the number of relevant judged documents
    /// (`map_cut.k`; the same as `map` on runs of at most k documents a query).
    case averagePrecision(Int)
    /// Relevant documents in the top k, over the number of relevant judged documents (`recall.k`).
    case recall(Int)
    /// 1 / rank of the first relevant document in the top k, 0 when there is none (`recip_rank` on the top k).
    case reciprocalRank(Int)
    /// Relevant documents in the top k, over k even when fewer were retrieved (`P.k`).
    case precision(Int)

    /// The metrics Loupe reports for a benchmark: BEIR's headline nDCG@10 and the usual companions.
    public static let standard: [Metric] = [
        .ndcg(10), .averagePrecision(1000), .recall(100), .recall(1000), .reciprocalRank(10), .precision(10),
    ]

    /// The rank the metric stops at.
    public var cutoff: Int {
        switch self {
        case .ndcg(let k), .averagePrecision(let k), .recall(let k), .reciprocalRank(let k), .precision(let k): k
        }
    }

    public var description: String {
        switch self {
        case .ndcg(let k): "nDCG@\(k)"
        case .averagePrecision(let k): "MAP@\(k)"
        case .recall(let k): "Recall@\(k)"
        case .reciprocalRank(let k): "MRR@\(k)"
        case .precision(let k): "P@\(k)"
        }
    }
}

/// Scores of a run: each evaluated query's metrics and their mean over those queries.
public struct Evaluation: Sendable, Equatable {
    /// Per evaluated query id, the value of each metric.
    public let perQuery: [String: [Metric: Double]]
    /// Per metric, the mean over the evaluated queries; empty when no query was evaluated.
    public let mean: [Metric: Double]
    /// How many queries the means are over.
    public let queryCount: Int

    /// Scores already computed per query (stored results, or fixtures); the means are taken over every query given,
    /// a metric missing from a query counting 0 there.
    public init(perQuery: [String: [Metric: Double]]) {
        var sums: [Metric: Double] = [:]
        // Sorted, so the sums add up in the same order on every run.
        for queryID in perQuery.keys.sorted() {
            sums.merge(perQuery[queryID] ?? [:], uniquingKeysWith: +)
        }
        let count = perQuery.count
        self.perQuery = perQuery
        self.mean = sums.mapValues { $0 / Double(count) }
        self.queryCount = count
    }
}

public enum Evaluator {
    /// Which order a run's entries are scored in.
    public enum RankingOrder: Sendable {
        /// trec_eval's: score descending, ties by document id descending (byte order), whatever the rank column
        /// or the engine said. Metrics then equal trec_eval's on the run file.
        case trecEval
        /// The order the engine returned, ties included.
        case asRanked
    }

    /// Scores `run` on every query of `qrels` with at least one relevant document (the others cannot score and are
    /// skipped, as BEIR's pytrec_eval evaluation does). A query the run has no ranking for scores 0 and counts in the
    /// mean; queries the qrels do not judge are ignored.
    public static func evaluate(_ run: Run, qrels: Qrels, metrics: [Metric], order: RankingOrder = .trecEval) -> Evaluation {
        var perQuery: [String: [Metric: Double]] = [:]
        for queryID in qrels.queryIDs {
            let judgements = qrels.judgements[queryID] ?? [:]
            guard judgements.values.contains(where: { $0 > 0 }) else { continue }
            var entries = run.ranking(for: queryID)
            if order == .trecEval {
                entries.sort { $0.score != $1.score ? $0.score > $1.score : $1.documentID.utf8.lexicographicallyPrecedes($0.documentID.utf8) }
            }
            perQuery[queryID] = evaluate(ranking: entries.map(\.documentID), judgements: judgements, metrics: metrics)
        }
        return Evaluation(perQuery: perQuery)
    }

    /// Scores one query's `ranking` (document ids, best first) against its `judgements` (document id -> grade).
    /// Every metric is 0 when nothing is judged relevant.
    public static func evaluate(ranking: [String], judgements: [String: Int], metrics: [Metric]) -> [Metric: Double] {
        let judged = JudgedRanking(ranking: ranking, judgements: judgements)
        var scores: [Metric: Double] = [:]
        for metric in metrics {
            scores[metric] = judged.score(metric)
        }
        return scores
    }
}

/// One query's ranking reduced to what every metric needs: the gain at each rank and the best gains possible.
private struct JudgedRanking {
    /// Grade of the document at each rank; 0 for unjudged, not relevant and repeated documents.
    let gains: [Int]
    /// Grades above 0 of every judged document, highest first: the ideal ranking.
    let idealGains: [Int]

    init(ranking: [String], judgements: [String: Int]) {
        var seen = Set<String>()
        gains = ranking.map { seen.insert($0).inserted ? max(judgements[$0] ?? 0, 0) : 0 }
        idealGains = judgements.values.filter { $0 > 0 }.sorted(by: >)
    }

    func score(_ metric: Metric) -> Double {
        let relevantCount = idealGains.count
        guard relevantCount > 0, metric.cutoff > 0 else { return 0 }
        let top = gains.prefix(metric.cutoff)
        switch metric {
        case .ndcg(let k):
            return Self.discountedGain(top) / Self.discountedGain(idealGains.prefix(k))
        case .averagePrecision:
            var relevantSoFar = 0
            var precisionSum = 0.0
            for (index, gain) in top.enumerated() where gain > 0 {
                relevantSoFar += 1
                precisionSum += Double(relevantSoFar) / Double(index + 1)
            }
            return precisionSum / Double(relevantCount)
        case .recall:
            return Double(top.count { $0 > 0 }) / Double(relevantCount)
        case .reciprocalRank:
            guard let index = top.firstIndex(where: { $0 > 0 }) else { return 0 }
            return 1 / Double(index + 1)
        case .precision(let k):
            return Double(top.count { $0 > 0 }) / Double(k)
        }
    }

    /// DCG of gains listed from rank 1: each divided by log2(rank + 1).
    private static func discountedGain(_ gains: ArraySlice<Int>) -> Double {
        var sum = 0.0
        for (index, gain) in gains.enumerated() where gain > 0 {
            sum += Double(gain) / log2(Double(index + 2))
        }
        return sum
    }
}
