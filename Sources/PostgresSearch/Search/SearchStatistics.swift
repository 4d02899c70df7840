import Foundation
import PostgresClient
import SearchCore

/// The corpus statistics a search scores with, read in one statement, and the `auto` match-mode decision.
enum SearchStatistics {
    static func load(for plan: SearchPlan, expansions: Int, on connection: PostgresConnection) async throws -> PinnedStatistics {
        var exact: Set<String> = []
        var stems: Set<String> = []
        for unit in plan.analyzed.units {
            if unit.isPrefix, let last = unit.positions.last {
                exact.formUnion(unit.positions.dropLast().flatMap { $0 })
                stems.formUnion(last)
            } else {
                exact.formUnion(unit.lexemes)
            }
        }
        let collection = plan.collection.id
        // One budget for all prefixes of a query keeps the statistics a cursor pins small.
        let perStem = stems.isEmpty ? expansions : max(5, expansions / stems.count)
        // Prefix ranges compare bytewise (text_pattern_ops), so they use the index with a per-row bound.
        let rows = try await connection.query("""
            SELECT 'collection' AS kind, NULL::text AS lexeme, document_count AS frequency, reference_length
            FROM collection_statistics WHERE collection_id = \(collection)
            UNION ALL
            SELECT 'term', lexeme, document_frequency, NULL FROM term_statistics
            WHERE collection_id = \(collection) AND lexeme = ANY(\(exact.sorted())::text[])
            UNION ALL
            SELECT 'term', e.lexeme, e.document_frequency, NULL
            FROM unnest(\(stems.sorted())::text[]) AS s(stem)
            CROSS JOIN LATERAL (
                SELECT t.lexeme, t.document_frequency FROM term_statistics t
                WHERE t.collection_id = \(collection) AND t.lexeme ~>=~ s.stem AND t.lexeme ~<=~ (s.stem || chr(1114111))
                  AND starts_with(t.lexeme, s.stem) AND t.document_frequency > 0
                ORDER BY t.document_frequency DESC, t.lexeme LIMIT \(perStem)
            ) AS e
            """)
        var documentCount = 0
        var averageLength = 0.0
        var frequencies = Dictionary(uniqueKeysWithValues: exact.map { ($0, 0) })
        for row in rows {
            if try row.decode(String.self, column: "kind") == "collection" {
                documentCount = try row.decode(Int.self, column: "frequency")
                // Stored impacts were computed with the reference length, so scores and explanations use it too.
                averageLength = try row.decode(Double.self, column: "reference_length")
            } else {
                frequencies[try row.decode(String.self, column: "lexeme")] = try row.decode(Int.self, column: "frequency")
            }
        }
        return PinnedStatistics(documentCount: documentCount, averageDocumentLength: averageLength, documentFrequencies: frequencies)
    }

    /// `auto`: `all` when it fills a page, otherwise `any`.
    static func resolveMatchMode(_ plan: SearchPlan, on connection: PostgresConnection) async throws -> MatchMode {
        guard plan.request.match == .auto else { return plan.request.match }
        guard plan.analyzed.clauses.count > 1 else { return .all }
        var probe = plan
        probe.matchUsed = .all
        let count = try await connection.query(
            "SELECT count(*) AS n FROM (SELECT 1 \(probe.matchingRows) LIMIT \(plan.request.limit)) AS m"
        ).single().decode(Int.self, column: "n")
        return count >= plan.request.limit ? .all : .any
    }
}
