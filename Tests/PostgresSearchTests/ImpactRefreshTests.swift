import Foundation
import LoupeTestSupport
import PostgresClient
@testable import PostgresSearch
import SearchCore
import Testing

/// `ImpactRefresh`, the batch-by-batch rewrite of a collection's impacts when its average length moves.
@Suite struct ImpactRefreshTests {
    /// Fills `collection` with `count` documents through the incremental path (the triggers write postings).
    static func load(_ fixture: ImportFixture, _ collection: StoredCollection, _ count: Int, from start: Int = 0) async throws {
        let path = try ImportFixture.file(try ImportFixture.jsonLines(ImportFixture.documents(count, from: start)), suffix: ".jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (summary, problems) = try await ImportTests.run(
            fixture, collection, ImportOptions(inputs: [path], mode: .incremental, batchSize: 500))
        try #require(problems.isEmpty && summary.documentsWritten == count, "\(problems)")
    }

    /// Every plan node of an `EXPLAIN (FORMAT JSON)` result, depth first.
    static func planNodes(_ json: String) throws -> [[String: Any]] {
        let top = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        var pending = try top.map { try #require($0["Plan"] as? [String: Any]) }
        var nodes: [[String: Any]] = []
        while let node = pending.popLast() {
            nodes.append(node)
            pending.append(contentsOf: node["Plans"] as? [[String: Any]] ?? [])
        }
        return nodes
    }

    /// A collection of `count` documents created after `postings` was last analysed (autovacuum off, so it
    /// stays so), checked to look almost empty to the planner: the state a new collection is in until
    /// autovacuum analyses the shared table again, after 10% of it changed.
    static func collectionWithStaleStatistics(_ fixture: ImportFixture, _ count: Int) async throws -> StoredCollection {
        let pool = fixture.schema.pool
        try await pool.query("ALTER TABLE postings SET (autovacuum_enabled = false)")
        try await pool.query("ALTER TABLE documents SET (autovacuum_enabled = false)")
        let old = try await fixture.collection("analysed")
        try await load(fixture, old, 3_000)
        try await pool.query("ANALYZE postings")
        try await pool.query("ANALYZE documents")
        let fresh = try await fixture.collection("fresh")
        try await load(fixture, fresh, count, from: 10_000)

        let estimate = try await pool.query(
            "EXPLAIN (FORMAT JSON) SELECT * FROM postings WHERE collection_id = \(fresh.id)"
        ).single().decode(String.self, column: "QUERY PLAN")
        let estimated = try #require(try planNodes(estimate).first?["Plan Rows"] as? Int)
        let actual = try await pool.query("SELECT count(*) AS n FROM postings WHERE collection_id = \(fresh.id)")
            .single().decode(Int.self, column: "n")
        try #require(estimated * 100 < actual, "estimated \(estimated) of \(actual) postings")
        return fresh
    }

    /// The scans of `postings` in an `EXPLAIN (FORMAT JSON)` result (not the table written to).
    static func postingsScans(_ plan: String) throws -> [[String: Any]] {
        try planNodes(plan).filter { $0["Relation Name"] as? String == "postings" && $0["Node Type"] as? String != "ModifyTable" }
    }

    /// The batch update must reach `postings` by its whole key, one lookup per fresh impact, whatever the
    /// statistics: planned as a scan of the collection's postings, each batch compared every posting with
    /// every document of the batch.
    @Test func theBatchUpdateLooksPostingsUpByKeyWhateverTheStatistics() async throws {
        try await ImportFixture.with { fixture in
            let pool = fixture.schema.pool
            let fresh = try await Self.collectionWithStaleStatistics(fixture, 2_000)
            let documents = try await pool.query("SELECT id FROM documents WHERE collection_id = \(fresh.id)")
                .map { try $0.decode(UUID.self, column: "id") }
            let plan = try await pool.query(
                "EXPLAIN (FORMAT JSON) " + ImpactRefresh.batchUpdate(collection: fresh.id, documents: documents)
            ).single().decode(String.self, column: "QUERY PLAN")
            let postingsScans = try Self.postingsScans(plan)
            #expect(postingsScans.count == 1, "\(plan)")
            for scan in postingsScans {
                let condition = scan["Index Cond"] as? String ?? ""
                #expect(condition.contains("document_id = ") && condition.contains("lexeme = "), "\(plan)")
            }
        }
    }

    /// The refreshed impacts are the ones computed from scratch under the new reference length.
    @Test func refreshedImpactsEqualImpactsComputedFromScratch() async throws {
        try await ImportFixture.with { fixture in
            let pool = fixture.schema.pool
            let collection = try await fixture.collection("refreshed")
            try await Self.load(fixture, collection, 1_500)
            // A reference length far from the live average: every impact is stale.
            try await pool.query("UPDATE collection_statistics SET reference_length = reference_length * 3 WHERE collection_id = \(collection.id)")
            let refreshed = try await ImpactRefresh(pool: pool, collection: collection.id).run(batchSize: 400)
            #expect(refreshed)
            let row = try await pool.query("""
                WITH expected AS (
                    SELECT d.id, dp.lexeme, dp.impact
                    FROM documents AS d
                    JOIN collections AS k ON k.id = d.collection_id
                    JOIN collection_statistics AS s ON s.collection_id = d.collection_id
                    CROSS JOIN LATERAL document_postings(d.search_vector, d.class_lengths, k.bm25_class_weights,
                                                         k.bm25_k1, k.bm25_b, s.reference_length) AS dp
                    WHERE d.collection_id = \(collection.id) AND d.deleted_at IS NULL)
                SELECT count(*) AS expected,
                       count(p.impact) AS stored,
                       count(*) FILTER (WHERE p.impact IS DISTINCT FROM e.impact) AS different
                FROM expected AS e
                LEFT JOIN postings AS p ON p.collection_id = \(collection.id) AND p.lexeme = e.lexeme AND p.document_id = e.id
                """).single()
            let expected = try row.decode(Int.self, column: "expected")
            #expect(expected > 10_000)
            #expect(try row.decode(Int.self, column: "stored") == expected)
            #expect(try row.decode(Int.self, column: "different") == 0)
            #expect(try await fixture.statisticsProblems(collection) == [])
        }
    }
}
