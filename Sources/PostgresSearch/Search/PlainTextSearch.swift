public import Foundation
public import PostgresClient

/// Plain PostgreSQL full-text search, the way an application does it without Loupe:
/// `WHERE search_vector @@ q ORDER BY ts_rank(search_vector, q) DESC LIMIT n`, nothing else.
///
/// It is the baseline every benchmark reports Loupe against, on the same `documents` table and GIN index,
/// so the ratio survives a noisy machine.
public struct PlainTextSearch: Sendable {
    /// How the query text becomes a tsquery.
    public enum QueryForm: String, Sendable, CaseIterable {
        /// `websearch_to_tsquery`: every word required, quotes make phrases.
        case websearch
        /// The words of `plainto_tsquery` OR-ed: any word matches (what a relevance baseline uses).
        case anyWord
    }

    /// The rank function in `ORDER BY`.
    public enum RankFunction: String, Sendable, CaseIterable {
        case tsRank = "ts_rank"
        case tsRankCd = "ts_rank_cd"
    }

    public let pool: PostgresConnectionPool
    public let collectionID: UUID
    public var configuration = "english"

    public init(pool: PostgresConnectionPool, collectionID: UUID) {
        self.pool = pool
        self.collectionID = collectionID
    }

    /// The top `limit` external ids and ranks for `text`, best first (ties by internal id, so runs repeat).
    public func search(
        _ text: String, form: QueryForm, rank: RankFunction = .tsRank, limit: Int
    ) async throws -> [(id: String, score: Double)] {
        let rows = try await pool.query("""
            WITH q AS (SELECT \(tsquery(text, form: form)) AS q)
            SELECT d.external_id, \(unsafeRaw: rank.rawValue)(d.search_vector, q.q)::float8 AS score
            FROM documents d, q
            WHERE d.collection_id = \(collectionID) AND d.deleted_at IS NULL AND d.search_vector @@ q.q
            ORDER BY score DESC, d.id LIMIT \(limit)
            """)
        return try rows.map { (try $0.decode(String.self, column: "external_id"), try $0.decode(Double.self, column: "score")) }
    }

    /// How many live documents of the collection match `text`.
    public func matchCount(_ text: String, form: QueryForm) async throws -> Int {
        try await pool.query("""
            SELECT count(*) AS n FROM documents d
            WHERE d.collection_id = \(collectionID) AND d.deleted_at IS NULL AND d.search_vector @@ \(tsquery(text, form: form))
            """).single().decode(Int.self, column: "n")
    }

    private func tsquery(_ text: String, form: QueryForm) -> PostgresQuery {
        switch form {
        case .websearch:
            return "websearch_to_tsquery(\(configuration)::regconfig, \(text))"
        case .anyWord:
            return "replace(plainto_tsquery(\(configuration)::regconfig, \(text))::text, ' & ', ' | ')::tsquery"
        }
    }
}
