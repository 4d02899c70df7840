import Foundation
import PostgresClient
import SearchCore

/// One round of exact BM25 top-k over impact-ordered lists (Fagin's threshold algorithm, with random
/// access only where it can change the answer).
///
/// Every scoring lexeme's postings are read best-impact-first to a per-lexeme depth; on later pages,
/// postings whose contribution alone would put a document before the cursor are skipped. A document seen
/// in no list scores at most `bound`: the sum, over lists cut short, of idf * (the lowest impact read).
/// A seen document scores at most its `ceiling`: what it was seen with plus, for each list it was not seen
/// in, that list's share of the bound. The candidates with the highest ceilings are scored exactly first;
/// the (k+1)-th of them that matches gives `theta`, a lower bound on the (k+1)-th score. Then, if the round
/// can end at all, every other candidate whose ceiling reaches theta is scored exactly (looking up only the
/// lists it was not seen in). When the (k+1)-th exact score beats the bound, no unseen document can enter
/// the page and the answer is exact. Otherwise the caller reads deeper or switches strategy, knowing
/// theta and each list's best impact.
enum ImpactOrderedTopK {
    struct Round {
        /// Set when the page is exact.
        var page: RankedPage?
        var bound: Double
        var theta: Double
        /// Per scoring lexeme: the best impact read, and its share of the bound (0 once read to the end).
        var bestImpacts: [Double]
        var unseenShares: [Double]
    }

    /// What a candidate `c` was seen with, and the lists still open, for `CandidateScoring.exactScore`.
    static let seen = (positions: "c.positions", impacts: "c.impacts", open: "(SELECT open_positions FROM bound)::int8[]")

    static func round(
        _ scoring: CandidateScoring, depths: [Int], theta floor: Double, last: Bool, poolShare: Int,
        after cursor: PageCursor?, on connection: PostgresConnection
    ) async throws -> Round {
        let ceiling = scoring.cursorCeiling(cursor)
        // Per list, the highest impact a document after the cursor can have in it.
        let listCeilings = scoring.idfs.map { $0 > 0 ? ceiling / $0 : Double.infinity }
        let rows = try await connection.query(query(
            scoring, depths: depths, listCeilings: listCeilings, theta: floor, last: last, poolShare: poolShare, after: cursor))
        // The bound row always comes back, with or without ranked rows.
        guard let first = rows.first else { throw SearchError.unavailable("impact-ordered ranking returned no rows") }
        var round = Round(
            page: nil,
            bound: try first.decode(Double.self, column: "bound"),
            theta: try first.decode(Double.self, column: "theta"),
            bestImpacts: try first.decode([Double].self, column: "best_impacts"),
            unseenShares: try first.decode([Double].self, column: "unseen_shares"))
        let ranked = try rows.filter { !$0.isNull(column: "id") }.map(RankedRow.init)
        let wanted = scoring.wanted
        if ranked.count == wanted, ranked[wanted - 1].score > round.bound + scoring.margin {
            round.page = RankedPage(rows: ranked, exactTotal: nil)
        } else if round.bound == 0 {
            // Every list was read to the end. A match with no posting at all (score 0: a prefix beyond the
            // scored expansions, a zero-weight class) may exist only where the query allows it.
            if scoring.everyMatchHasPostings || (ranked.count == wanted && ranked[wanted - 1].score > scoring.margin) {
                round.page = RankedPage(rows: ranked, exactTotal: nil)
            }
        }
        return round
    }

    static func query(
        _ scoring: CandidateScoring, depths: [Int], listCeilings: [Double], theta floor: Double, last: Bool,
        poolShare: Int, after cursor: PageCursor?
    ) throws -> PostgresQuery {
        let k = scoring.wanted - 1
        // Enough exactly scored candidates to find the (k+1)-th match even when some do not match, and
        // more as the lists get deeper (the best documents of an AND can sit deep in one of its lists),
        // fewer per list the more lists each one has to look up. They are the candidates with the highest
        // ceilings, which completion looks up first anyway (it reuses their scores).
        let poolSize = 3 * scoring.wanted + depths.reduce(0, +) / (max(1, poolShare) * max(1, scoring.lexemes.count))
        // A lookup costs a few postings read in order.
        let lookupBudget = depths.reduce(0, +) / 2
        // A candidate seen in every list is known exactly (up to summing order) without a lookup; when the
        // postings decide matches it matches too. Those surely after the cursor bound theta for free.
        var fullySeenTheta: PostgresQuery = "0"
        if scoring.match != nil {
            fullySeenTheta = """
                coalesce((SELECT partial FROM candidates WHERE cardinality(positions) = \(scoring.lexemes.count)
                    AND partial < \(scoring.cursorCeiling(cursor)) - \(2 * scoring.margin)
                    ORDER BY partial DESC OFFSET \(k) LIMIT 1) - \(scoring.margin), 0)
                """
        }
        var seenMask: PostgresQuery = "NULL::int8"
        if case .everyClause = scoring.match {
            seenMask = "bit_or(1::int8 << (h.position::int - 1))"
        }
        return """
            WITH \(scoring.lexemeTable),
            reading AS (SELECT * FROM unnest(\(depths)::int8[], \(listCeilings)::float8[]) WITH ORDINALITY AS r(depth, ceiling, position)),
            heads AS MATERIALIZED (
                SELECT q.position, h.document_id, h.impact
                FROM q JOIN reading r USING (position) CROSS JOIN LATERAL (
                    SELECT p.document_id, p.impact FROM postings p
                    WHERE p.collection_id = \(scoring.collectionID) AND p.lexeme = q.lexeme AND p.impact <= r.ceiling
                    ORDER BY p.impact DESC LIMIT r.depth) AS h
            ),
            lists AS MATERIALIZED (
                SELECT q.position, coalesce(max(h.impact), 0) AS best,
                       CASE WHEN count(h.impact) < r.depth THEN 0 ELSE q.idf * min(h.impact) END AS unseen
                FROM q JOIN reading r USING (position) LEFT JOIN heads h ON h.position = q.position
                GROUP BY q.position, q.idf, r.depth
            ),
            bound AS MATERIALIZED (
                SELECT sum(unseen) AS value, array_agg(best ORDER BY position) AS best_impacts,
                       array_agg(unseen ORDER BY position) AS unseen_shares,
                       coalesce(array_agg(position) FILTER (WHERE unseen > 0), '{}') AS open_positions
                FROM lists
            ),
            candidates AS MATERIALIZED (
                SELECT h.document_id AS id, sum(q.idf * h.impact) AS partial,
                       sum(q.idf * h.impact) + (SELECT value FROM bound) - sum(l.unseen) AS ceiling,
                       array_agg(h.position) AS positions, array_agg(h.impact) AS impacts, \(seenMask) AS seen
                FROM heads h JOIN q ON q.position = h.position JOIN lists l ON l.position = h.position
                GROUP BY h.document_id
                -- Seen contributions alone above the cursor's score: the document comes before the cursor.
                HAVING sum(q.idf * h.impact) <= \(scoring.cursorCeiling(cursor))
            ),
            probed AS MATERIALIZED (
                SELECT c.id, c.ceiling, e.score, e.present
                FROM (SELECT * FROM candidates ORDER BY ceiling DESC, id LIMIT \(poolSize)) AS c
                CROSS JOIN LATERAL \(scoring.exactScore(id: "c.id", known: seen)) AS e
            ),
            pool AS (
                SELECT id, score, present FROM probed WHERE \(try scoring.follows(cursor, score: "score", id: "id"))
            ),
            theta AS MATERIALIZED (
                -- OFFSET 0 keeps the match check above the sort, so it runs only until k+1 matches are found.
                SELECT greatest(\(floor), coalesce((
                    SELECT v.score FROM (SELECT * FROM pool ORDER BY score DESC, id OFFSET 0) AS v
                    WHERE \(scoring.matches(id: "v.id", present: "v.present")) OFFSET \(k) LIMIT 1), 0),
                    \(fullySeenTheta)) AS value
            ),
            gate AS MATERIALIZED (
                -- Scoring the candidates that can still reach theta is worth it when the round surely ends
                -- (theta, at most the (k+1)-th score, beats the bound; or nothing is unseen), when they are
                -- few enough that trying costs less than reading deeper, or when this is the last round the
                -- caller can afford. Without postings deciding matches theta is weak: always scored.
                SELECT \(scoring.match == nil || last) OR (SELECT value FROM bound) = 0
                    OR (SELECT value FROM theta) > (SELECT value FROM bound) + \(scoring.margin)
                    OR (SELECT count(*) FROM (SELECT 1 FROM candidates WHERE ceiling >= (SELECT value FROM theta) - \(scoring.margin)
                        LIMIT \(lookupBudget + 1)) AS s) <= \(lookupBudget) AS open
            ),
            \(try completion(scoring, after: cursor))
            SELECT b.value AS bound, b.best_impacts, b.unseen_shares,
                   greatest((SELECT value FROM theta), (SELECT min(score) FROM top HAVING count(*) = \(scoring.wanted))) AS theta,
                   t.id, t.score, NULL::text AS sort_value, \(unsafeRaw: RankedRow.documentColumns)
            FROM bound b LEFT JOIN (top t JOIN documents d ON d.id = t.id) ON true
            ORDER BY t.score DESC, t.id
            """
    }

    /// `top`: the k+1 best matches among the candidates that can still reach theta (scored only when the
    /// gate is open).
    static func completion(_ scoring: CandidateScoring, after cursor: PageCursor?) throws -> PostgresQuery {
        let theta: PostgresQuery = "(SELECT value FROM theta) - \(scoring.margin)"
        guard scoring.match != nil else {
            // Only the documents can say what matches: exact scores, then the check in score order, lazily.
            return """
                survivors AS (
                    SELECT c.id, e.score, e.present
                    FROM candidates c CROSS JOIN LATERAL \(scoring.exactScore(id: "c.id", known: seen)) AS e
                    WHERE (SELECT open FROM gate) AND c.ceiling >= \(theta)
                      AND \(try scoring.follows(cursor, score: "e.score", id: "c.id"))
                ),
                top AS MATERIALIZED (
                    -- OFFSET 0 keeps the check above the sort.
                    SELECT v.id, v.score FROM (SELECT * FROM survivors ORDER BY score DESC, id OFFSET 0) AS v
                    WHERE \(scoring.matches(id: "v.id", present: "v.present")) LIMIT \(scoring.wanted)
                )
                """
        }
        // The postings decide matches: each survivor gets the lists it was not seen in looked up in one join
        // (a list read to its end has nothing more to give) and summed in any order; only the few whose
        // sums are within twice the margin of the (k+1)-th (or of the cursor) are then scored in
        // exhaustive scoring's order. For an AND, a candidate that cannot cover every clause even with the
        // lists still open is dropped first.
        var possible: PostgresQuery = "true"
        if case .everyClause = scoring.match {
            possible = scoring.matches(id: "c.id", present: """
                (c.seen | coalesce((SELECT bit_or(1::int8 << (o::int - 1)) FROM unnest((SELECT open_positions FROM bound)) AS o), 0))
                """)
        }
        let ceiling = scoring.cursorCeiling(cursor)
        let slack = 2 * scoring.margin
        // Candidates the pool scored keep their exact scores; only the others are looked up.
        return """
            completed AS MATERIALIZED (
                SELECT b.id, b.score AS approximate, b.present FROM probed b
                WHERE (SELECT open FROM gate) AND b.ceiling >= \(theta)
                UNION ALL
                SELECT c.id, c.partial + coalesce(sum(q.idf * p.impact), 0) AS approximate,
                       c.seen | coalesce(bit_or(1::int8 << (q.position::int - 1)) FILTER (WHERE p.impact IS NOT NULL), 0) AS present
                FROM candidates c
                LEFT JOIN q ON q.position = ANY ((SELECT open_positions FROM bound)::int8[]) AND NOT (q.position = ANY (c.positions))
                LEFT JOIN LATERAL (SELECT \(scoring.impact(lexeme: "q.lexeme", id: "c.id")) AS impact) AS p ON true
                WHERE (SELECT open FROM gate) AND c.ceiling >= \(theta) AND \(possible)
                  -- NOT IN over a subquery is hashed once; the planner, which expects one row from every
                  -- CTE, would run NOT EXISTS as a nested loop over the pool for each candidate.
                  AND c.id NOT IN (SELECT b.id FROM probed b)
                GROUP BY c.id, c.partial, c.seen
            ),
            matching AS (
                SELECT id, approximate FROM completed
                WHERE \(scoring.matches(id: "id", present: "present")) AND approximate <= \(ceiling)
            ),
            cut AS (
                SELECT approximate FROM matching WHERE approximate < \(ceiling) - \(slack)
                ORDER BY approximate DESC OFFSET \(scoring.wanted - 1) LIMIT 1
            ),
            top AS MATERIALIZED (
                SELECT m.id, e.score FROM matching m CROSS JOIN LATERAL \(scoring.exactScore(id: "m.id")) AS e
                WHERE (m.approximate >= coalesce((SELECT approximate FROM cut) - \(slack), '-Infinity')
                       OR m.approximate >= \(ceiling) - \(slack))
                  AND \(try scoring.follows(cursor, score: "e.score", id: "m.id"))
                ORDER BY e.score DESC, m.id LIMIT \(scoring.wanted)
            )
            """
    }
}
