import Foundation
import PostgresClient
import SearchCore

/// Exact BM25 top-k without scoring every match: picks the strategy by cost and runs it.
///
/// Impact-ordered rounds (`ImpactOrderedTopK`) come first: a few hundred postings from the top of each
/// list settle most queries whose best documents hold the rarer terms, and even when they do not, they
/// give theta (a lower bound on the (k+1)-th score) and each list's best impact. Before reading deeper, an
/// OR of plain terms compares the next round's reads with what MaxScore (`MaxScoreTopK`) would merge at that
/// theta, and switches when MaxScore is cheaper or the bound is still far above theta (many-term unions,
/// where the bound falls slowly). Past the read budget, a query the postings cannot decide is left to
/// exhaustive scoring (nil).
enum TopKRanking {
    static func rank(
        _ plan: SearchPlan, after cursor: PageCursor?, options: PostgresSearchEngine.Options,
        on connection: PostgresConnection
    ) async throws -> RankedPage? {
        guard plan.exceedsExhaustiveLimit(options) else { return nil }
        let scoring = CandidateScoring(plan)
        let frequencies = scoring.lexemes.map { plan.statistics.documentFrequencies[$0] ?? 0 }
        let totalPostings = frequencies.reduce(0, +)
        // A pure OR of several terms over a moderate number of postings is cheaper to aggregate in one
        // pass (and its total is then exact); one term's list is read from the top in any case.
        if plan.postingsDecideMatches, frequencies.count > 1, totalPostings <= options.aggregatedPostingsLimit {
            return nil
        }
        var depths = firstDepths(wanted: scoring.wanted, frequencies: frequencies, verifying: scoring.match == nil)
        var theta = 0.0
        var read = 0
        for roundNumber in 1...max(1, options.impactOrderedRounds) {
            // The last round before the budget runs out (the next is about four times deeper) tries hardest.
            let last = roundNumber == options.impactOrderedRounds || read + 5 * depths.reduce(0, +) > options.maximumPostingsRead
                || 16 * depths.reduce(0, +) > totalPostings
            // An OR goes on to MaxScore instead, which needs no exact round.
            let round = try await ImpactOrderedTopK.round(
                scoring, depths: depths, theta: theta, last: last && !plan.postingsDecideMatches,
                poolShare: options.impactOrderedPoolShare, after: cursor, on: connection)
            if let page = round.page { return page }
            read += depths.reduce(0, +)
            theta = max(theta, round.theta)
            let next = deepen(depths, shares: round.unseenShares)
            // Past the budget, or once reading on would cover a good part of every list, one pass over
            // the lists costs less than more rounds.
            let overBudget = read + next.reduce(0, +) > options.maximumPostingsRead || 4 * next.reduce(0, +) > totalPostings
            if plan.postingsDecideMatches {
                let maxScore = MaxScoreTopK.plan(scoring, theta: theta, bestImpacts: round.bestImpacts, documentFrequencies: frequencies)
                // The bound falls slowly once lists are read past their best postings: far above theta,
                // the next round is unlikely to end it.
                let distant = round.bound > 2 * theta
                if overBudget || distant || roundNumber == options.impactOrderedRounds
                    || maxScore.mergedPostings <= 2 * next.reduce(0, +) {
                    if maxScore.merged.isEmpty { return RankedPage(rows: [], exactTotal: nil) }
                    return try await MaxScoreTopK.rank(
                        scoring, plan: maxScore, theta: theta, bestImpacts: round.bestImpacts, after: cursor, on: connection)
                }
            } else if overBudget {
                // Scored in one pass instead: through the postings for plain terms, else the documents.
                return nil
            }
            depths = next
        }
        return nil
    }

    /// At least 4(k+1) postings per list, more when there are two; short lists (the query's rarest, and
    /// highest-weighted, terms) are read whole while they fit in a few thousand postings: the documents
    /// holding them are the likeliest to rank, so theta starts high, and a list read whole adds nothing to
    /// the bound. When every candidate must be checked against its document, as few as will do.
    static func firstDepths(wanted: Int, frequencies: [Int], verifying: Bool) -> [Int] {
        let count = frequencies.count
        // Two lists read deep enough for most pairs of common terms (their best documents hold both, a
        // thousand or two down each list): one round instead of two. More lists share about a thousand:
        // their first round mostly finds theta for MaxScore.
        let shared = count == 2 ? 4_096 : 1_024
        let base = count == 1 || verifying ? max(4 * wanted, 64) : max(4 * wanted, shared / max(1, count))
        var depths = Array(repeating: base, count: count)
        guard !verifying else { return depths }
        var whole = 0
        for index in frequencies.indices.sorted(by: { (frequencies[$0], $0) < (frequencies[$1], $1) }) {
            let length = frequencies[index]
            guard length >= depths[index] else { continue }
            guard whole + length <= 4_096 else { break }
            // One more than the list's length, so the round sees it end.
            depths[index] = length + 1
            whole += length
        }
        return depths
    }

    /// Four times deeper in the lists that hold most of the bound; the others as they are.
    static func deepen(_ depths: [Int], shares: [Double]) -> [Int] {
        let largest = shares.max() ?? 0
        return depths.indices.map { index in
            largest > 0 && shares[index] >= largest / 4 ? depths[index] * 4 : depths[index]
        }
    }
}
