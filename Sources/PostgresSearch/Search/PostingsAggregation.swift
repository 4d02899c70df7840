import Foundation
import PostgresClient
import SearchCore

/// Exhaustive ranking when postings decide matches: every posting of the query's lexemes summed per
/// document in one pass (keeping, for an AND, the documents with a posting in every clause), with an exact
/// total.
///
/// A grouping adds a document's contributions in whatever order the plan delivers them, which can differ
/// in the last bit from exhaustive scoring's fixed order, and then break a tie the wrong way. So these sums
/// only mark the region that can hold the page: documents within twice `margin` of the (k+1)-th sum that
/// surely follows the cursor, or of the cursor itself. Those are scored exactly, then ordered.
enum PostingsAggregation {
    static func rank(_ plan: SearchPlan, after cursor: PageCursor?, on connection: PostgresConnection) async throws -> RankedPage {
        let rows = try await connection.query(try statement(plan, after: cursor))
        let total = try rows.first?.decode(Int.self, column: "total") ?? 0
        return RankedPage(rows: try rows.filter { !$0.isNull(column: "id") }.map(RankedRow.init), exactTotal: total)
    }

    /// The page in one statement: the exact total, then the page's rows (or one row of NULLs and the total).
    ///
    /// Each lexeme's postings are read by their key (collection, lexeme) behind `OFFSET 0`. Written as a plain
    /// join on `collection_id = <constant>`, the planner takes a collection created since `postings` was last
    /// analysed for almost no rows, scans all of its postings once and compares each with every lexeme
    /// (bench/results/impact-refresh-stall/search-join.out: 87.5 ms against 0.64 ms for 5,000 documents).
    static func statement(_ plan: SearchPlan, after cursor: PageCursor?) throws -> PostgresQuery {
        let scoring = CandidateScoring(plan)
        let ceiling = scoring.cursorCeiling(cursor)
        let slack = 2 * scoring.margin
        return """
            WITH \(scoring.lexemeTable),
            sums AS MATERIALIZED (
                SELECT p.document_id AS id, sum(q.idf * p.impact) AS approximate
                FROM q CROSS JOIN LATERAL (
                    SELECT p.document_id, p.impact FROM postings p
                    WHERE p.collection_id = \(scoring.collectionID) AND p.lexeme = q.lexeme OFFSET 0) AS p
                GROUP BY p.document_id
                HAVING \(scoring.matches(id: "p.document_id", present: "bit_or(1::int8 << (q.position::int - 1))"))
            ),
            cut AS (
                SELECT approximate FROM sums WHERE approximate < \(ceiling) - \(slack)
                ORDER BY approximate DESC OFFSET \(scoring.wanted - 1) LIMIT 1
            ),
            region AS (
                SELECT id FROM sums
                WHERE approximate <= \(ceiling)
                  AND (approximate >= coalesce((SELECT approximate FROM cut) - \(slack), '-Infinity')
                       OR approximate >= \(ceiling) - \(slack))
            ),
            top AS (
                SELECT r.id, e.score FROM region r CROSS JOIN LATERAL \(scoring.exactScore(id: "r.id")) AS e
                WHERE \(try scoring.follows(cursor, score: "e.score", id: "r.id"))
                ORDER BY e.score DESC, r.id LIMIT \(scoring.wanted)
            )
            SELECT (SELECT count(*) FROM sums) AS total,
                   t.id, t.score, NULL::text AS sort_value, \(unsafeRaw: RankedRow.documentColumns)
            FROM (SELECT 1) AS one LEFT JOIN (top t JOIN documents d ON d.id = t.id) ON true
            ORDER BY t.score DESC, t.id
            """
    }
}
