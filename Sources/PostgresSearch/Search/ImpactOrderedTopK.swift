import Foundation
import PostgresClient
import SearchCore

/// Exact BM25 top-k without scoring every match (Fagin's threshold algorithm over impact-ordered lists).
///
/// Each query lexeme's postings are read best-impact-first to a per-lexeme depth. Every document seen is
/// scored exactly (sum of idf * impact over all query lexemes) and checked against the full query
/// (phrases, AND, exclusions, filters, the cursor's keyset). A document seen in no list can score at most
/// `bound` = sum over lists cut short of idf * (the last impact read). When the (k+1)-th result beats the
/// bound, no unseen document can enter the page and the answer is exact. Otherwise the lists that
/// dominate the bound are read deeper; past a budget, the caller scores every match instead.
enum ImpactOrderedTopK {
    static func rank(
        _ plan: SearchPlan, after cursor: PageCursor?, options: PostgresSearchEngine.Options,
        on connection: PostgresConnection
    ) async throws -> RankedPage? {
        guard plan.request.ranking == .bm25, plan.request.sort == nil, !plan.stopWordsOnly,
              plan.estimatedMatches > options.exhaustiveMatchLimit else { return nil }
        // A pure OR over a moderate number of postings is cheaper to aggregate in one pass.
        if plan.postingsDecideMatches,
           plan.statistics.documentFrequencies.values.reduce(0, +) <= options.aggregatedPostingsLimit {
            return nil
        }
        let lexemes = plan.scoringLexemes
        let idfs = plan.scoringIDFs
        let wanted = plan.request.limit + 1
        var depths = Array(repeating: max(64, wanted * 4), count: lexemes.count)
        while depths.reduce(0, +) <= options.maximumPostingsRead {
            let rows = try await connection.query(query(plan, lexemes: lexemes, idfs: idfs, depths: depths, after: cursor))
            guard let first = rows.first else { return nil }
            let bound = try first.decode(Double.self, column: "bound")
            let exhausted = try first.decode(Bool.self, column: "exhausted")
            let ranked = try rows.filter { !$0.isNull(column: "id") }.map(RankedRow.init)
            if exhausted || (ranked.count == wanted && ranked[wanted - 1].score > bound) {
                return RankedPage(rows: ranked, exactTotal: nil)
            }
            // Deepen the cut lists whose share of the bound is largest.
            let contributions = try first.decode([Double].self, column: "contributions")
            let largest = contributions.max() ?? 0
            guard largest > 0 else { return nil }
            for index in depths.indices where contributions[index] >= largest / 4 {
                depths[index] *= 4
            }
        }
        return nil
    }

    static func query(
        _ plan: SearchPlan, lexemes: [String], idfs: [Double], depths: [Int], after cursor: PageCursor?
    ) throws -> PostgresQuery {
        let collection = plan.collection.id
        var query: PostgresQuery = """
            WITH q AS (
                SELECT * FROM unnest(\(lexemes)::text[], \(idfs)::float8[], \(depths)::int8[]) WITH ORDINALITY AS q(lexeme, idf, depth, position)
            ),
            heads AS (
                SELECT q.lexeme, h.document_id, h.impact
                FROM q CROSS JOIN LATERAL (
                    SELECT p.document_id, p.impact FROM postings p
                    WHERE p.collection_id = \(collection) AND p.lexeme = q.lexeme
                    ORDER BY p.impact DESC LIMIT q.depth) AS h
            ),
            lists AS (SELECT lexeme, count(*) AS n, min(impact) AS tau FROM heads GROUP BY lexeme),
            cut AS (
                SELECT q.position, CASE WHEN coalesce(l.n, 0) >= q.depth THEN q.idf * l.tau ELSE 0 END AS contribution
                FROM q LEFT JOIN lists l USING (lexeme)
            ),
            limits AS (
                SELECT sum(contribution)::float8 AS bound, bool_and(contribution = 0) AS exhausted,
                       array_agg(contribution::float8 ORDER BY position) AS contributions
                FROM cut
            ),
            scored AS (
                -- LATERAL keeps each lookup on the full (collection, lexeme, document) key.
                SELECT c.document_id AS id,
                       (SELECT sum(q.idf * p.impact) FROM q CROSS JOIN LATERAL (
                            SELECT p.impact FROM postings p
                            WHERE p.collection_id = \(collection) AND p.lexeme = q.lexeme AND p.document_id = c.document_id
                        ) AS p) AS score
                FROM (SELECT DISTINCT document_id FROM heads) AS c
            )
            SELECT limits.bound, limits.exhausted, limits.contributions, top.*
            FROM limits LEFT JOIN LATERAL (
                SELECT t.id, t.score, NULL::text AS sort_value, \(unsafeRaw: RankedRow.documentColumns)
                FROM (SELECT s.id, s.score FROM scored s
            """
        if plan.postingsDecideMatches {
            // Postings hold live documents only, and any of their lexemes makes a match.
            query.append(" WHERE true")
        } else {
            // Checked candidate by candidate through the primary key, never by scanning the collection.
            query.append("""
                 CROSS JOIN LATERAL (SELECT 1 FROM documents d WHERE d.id = s.id AND d.deleted_at IS NULL
                AND d.search_vector @@ \(plan.tsquery)::tsquery\(plan.filters.condition)) AS matching WHERE true
                """)
        }
        if let cursor {
            query.append(" AND \(try plan.keysetCondition(after: cursor, scoreColumn: "s.score", idColumn: "s.id"))")
        }
        query.append("""
             ORDER BY s.score DESC, s.id LIMIT \(plan.request.limit + 1)) AS t
            JOIN documents d ON d.id = t.id) AS top ON true ORDER BY top.score DESC, top.id
            """)
        return query
    }
}
