import Foundation
import PostgresClient
import SearchCore

/// Exact BM25 top-k for an OR of plain terms by MaxScore, in one statement.
///
/// It starts from `theta`, a lower bound on the (k+1)-th score (from an impact-ordered round). Lists whose
/// best contributions add up to less than theta are *probed*: a document found only in them cannot reach
/// the page, so they never produce candidates. Every other list is *merged*: read whole in document order
/// (the postings primary key) and summed per document by a merge, which costs a fraction of hashing per
/// posting. A merged document whose sum plus the probed lists' best contributions falls short of theta is
/// dropped at once. The best merged sums are scored exactly to raise theta; the remaining documents look
/// the probed lists up one at a time, largest first, and drop out as soon as what is left cannot reach
/// theta. The few left are scored exactly and ordered.
enum MaxScoreTopK {
    struct Plan {
        /// Positions in the scoring lexemes (from 0) of the lists read whole.
        var merged: [Int]
        /// Positions of the lists looked up per document, largest best contribution first.
        var probed: [Int]
        /// Postings the merge reads.
        var mergedPostings: Int
    }

    /// Probes the lists with the smallest best contributions, as long as a document found only in them
    /// stays below theta, and as long as a survivor still needs more than any one merged list can give
    /// (so survivors are documents found in two merged lists or more: few, worth a lookup each).
    static func plan(_ scoring: CandidateScoring, theta: Double, bestImpacts: [Double], documentFrequencies: [Int]) -> Plan {
        let best = zip(scoring.idfs, bestImpacts).map { $0 * $1 }
        // A list with nothing to read contributes nothing: neither merged nor probed.
        let lists = best.indices.filter { best[$0] > 0 }.sorted { (best[$0], $0) < (best[$1], $1) }
        var probed: [Int] = []
        var probedBest = 0.0
        for (order, index) in lists.enumerated() {
            let largestMerged = lists[(order + 1)...].map { best[$0] }.max() ?? 0
            let needed = theta - scoring.margin - probedBest - best[index]
            guard needed > 0, needed >= largestMerged else { break }
            probed.append(index)
            probedBest += best[index]
        }
        let merged = lists.filter { !probed.contains($0) }
        return Plan(
            merged: merged, probed: probed.reversed(),
            mergedPostings: merged.map { documentFrequencies[$0] }.reduce(0, +))
    }

    static func rank(
        _ scoring: CandidateScoring, plan: Plan, theta: Double, bestImpacts: [Double], after cursor: PageCursor?,
        on connection: PostgresConnection
    ) async throws -> RankedPage {
        let rows = try await connection.query(try query(scoring, plan: plan, theta: theta, bestImpacts: bestImpacts, after: cursor))
        return RankedPage(rows: try rows.map(RankedRow.init), exactTotal: nil)
    }

    static func query(
        _ scoring: CandidateScoring, plan: Plan, theta floor: Double, bestImpacts: [Double], after cursor: PageCursor?
    ) throws -> PostgresQuery {
        let collection = scoring.collectionID
        let best = zip(scoring.idfs, bestImpacts).map { $0 * $1 }
        let probedBest = plan.probed.map { best[$0] }.reduce(0, +)
        var merge: PostgresQuery = ""
        for (number, index) in plan.merged.enumerated() {
            if number > 0 { merge.append(" UNION ALL ") }
            merge.append("""
                (SELECT p.document_id, \(scoring.idfs[index])::float8 * p.impact AS contribution FROM postings p
                WHERE p.collection_id = \(collection) AND p.lexeme = \(scoring.lexemes[index]) ORDER BY p.document_id)
                """)
        }
        // Each stage adds one probed list and keeps the documents that can still reach theta.
        var stage: PostgresQuery = "SELECT id, partial AS acc FROM merged"
        var rest = probedBest
        for index in plan.probed {
            stage = """
                SELECT s.id, s.acc + \(scoring.idfs[index])::float8 * coalesce(\(scoring.impact(lexeme: "\(scoring.lexemes[index])::text", id: "s.id")), 0) AS acc
                FROM (\(stage) OFFSET 0) AS s
                WHERE s.acc + \(rest) >= (SELECT value FROM theta) - \(scoring.margin)
                """
            rest -= best[index]
        }
        let k = scoring.wanted - 1
        return """
            WITH \(scoring.lexemeTable),
            merged AS MATERIALIZED (
                -- Every branch is in document order, so the union merges and the grouping needs no hash.
                SELECT u.document_id AS id, sum(u.contribution) AS partial
                FROM (\(merge) ORDER BY document_id) AS u
                GROUP BY u.document_id
                HAVING sum(u.contribution) >= \(floor - probedBest - scoring.margin)
                   AND sum(u.contribution) <= \(scoring.cursorCeiling(cursor))
            ),
            pool AS (
                SELECT m.id, e.score FROM (SELECT * FROM merged ORDER BY partial DESC, id LIMIT \(2 * scoring.wanted)) AS m
                CROSS JOIN LATERAL \(scoring.exactScore(id: "m.id")) AS e
                WHERE \(try scoring.follows(cursor, score: "e.score", id: "m.id"))
            ),
            theta AS MATERIALIZED (
                SELECT greatest(\(floor), coalesce((SELECT score FROM pool ORDER BY score DESC, id OFFSET \(k) LIMIT 1), 0)) AS value
            ),
            final AS (
                SELECT s.id, e.score FROM (\(stage) OFFSET 0) AS s
                CROSS JOIN LATERAL \(scoring.exactScore(id: "s.id")) AS e
                WHERE s.acc >= (SELECT value FROM theta) - \(scoring.margin)
                  AND \(try scoring.follows(cursor, score: "e.score", id: "s.id"))
            )
            SELECT t.id, t.score, NULL::text AS sort_value, \(unsafeRaw: RankedRow.documentColumns)
            FROM (SELECT * FROM final ORDER BY score DESC, id LIMIT \(scoring.wanted)) AS t
            JOIN documents d ON d.id = t.id
            ORDER BY t.score DESC, t.id
            """
    }
}
