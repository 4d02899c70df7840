import Foundation
import PostgresClient
import SearchCore

/// Exact BM25 top-k without scoring every match (Fagin's threshold algorithm over impact-ordered lists).
///
/// Each query lexeme's postings are read best-impact-first, `depth` deep. Every document seen is scored
/// exactly (sum of idf * impact over all query lexemes) and checked against the full query (phrases, AND,
/// exclusions, filters, the cursor's keyset). A document not seen in any list can score at most
/// `bound` = sum over lists cut at `depth` of idf * (the last impact read). If the (k+1)-th result beats
/// the bound, no unseen document can enter the page and the answer is exact; otherwise read deeper.
enum ImpactOrderedTopK {
    static func rank(
        _ plan: SearchPlan, after cursor: PageCursor?, options: PostgresSearchEngine.Options,
        on connection: PostgresConnection
    ) async throws -> [RankedRow]? {
        guard plan.request.ranking == .bm25, plan.request.sort == nil, !plan.stopWordsOnly else { return nil }
        let frequencies = plan.statistics.documentFrequencies.values
        // Small match sets are cheaper to score outright.
        guard let largest = frequencies.max(), largest > options.exhaustiveMatchLimit else { return nil }
        let wanted = plan.request.limit + 1
        var depth = max(64, wanted * 4)
        while depth <= options.maximumListDepth {
            let rows = try await connection.query(query(plan, after: cursor, depth: depth))
            guard let first = rows.first else { return nil }
            let bound = try first.decode(Double.self, column: "bound")
            let exhausted = try first.decode(Bool.self, column: "exhausted")
            let ranked = try rows.compactMap { row -> RankedRow? in
                guard let id = try row.decode(UUID?.self, column: "id") else { return nil }
                return RankedRow(id: id, score: try row.decode(Double.self, column: "score"), sortValue: nil)
            }
            if exhausted || (ranked.count == wanted && ranked[wanted - 1].score > bound) {
                return ranked
            }
            depth *= 4
        }
        return nil
    }

    static func query(_ plan: SearchPlan, after cursor: PageCursor?, depth: Int) throws -> PostgresQuery {
        let collection = plan.collection.id
        var query: PostgresQuery = """
            WITH q AS (SELECT * FROM unnest(\(plan.scoringLexemes)::text[], \(plan.scoringIDFs)::float8[]) AS q(lexeme, idf)),
            heads AS (
                SELECT q.lexeme, h.document_id, h.impact
                FROM q CROSS JOIN LATERAL (
                    SELECT p.document_id, p.impact FROM postings p
                    WHERE p.collection_id = \(collection) AND p.lexeme = q.lexeme
                    ORDER BY p.impact DESC LIMIT \(depth)) AS h
            ),
            lists AS (SELECT lexeme, count(*) AS n, min(impact) AS tau FROM heads GROUP BY lexeme),
            limits AS (
                SELECT coalesce(sum(q.idf * l.tau) FILTER (WHERE l.n >= \(depth)), 0)::float8 AS bound,
                       coalesce(bool_and(coalesce(l.n, 0) < \(depth)), true) AS exhausted
                FROM q LEFT JOIN lists l USING (lexeme)
            ),
            scored AS (
                SELECT c.document_id AS id,
                       (SELECT sum(q.idf * p.impact) FROM q JOIN postings p
                          ON p.collection_id = \(collection) AND p.lexeme = q.lexeme AND p.document_id = c.document_id) AS score
                FROM (SELECT DISTINCT document_id FROM heads) AS c
            )
            SELECT limits.bound, limits.exhausted, top.id, top.score
            FROM limits LEFT JOIN LATERAL (
                SELECT s.id, s.score FROM scored s JOIN documents d ON d.id = s.id
                WHERE d.deleted_at IS NULL AND d.search_vector @@ \(plan.tsquery)::tsquery\(plan.filters.condition)
            """
        if let cursor {
            query.append(" AND \(try plan.keysetCondition(after: cursor, scoreColumn: "s.score", idColumn: "s.id"))")
        }
        query.append(" ORDER BY s.score DESC, s.id LIMIT \(plan.request.limit + 1)) AS top ON true ORDER BY top.score DESC, top.id")
        return query
    }
}
