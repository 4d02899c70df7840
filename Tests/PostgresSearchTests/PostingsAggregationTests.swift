import Foundation
import LoupeTestSupport
import PostgresClient
@testable import PostgresSearch
import SearchCore
import Testing

/// `PostingsAggregation`, the exhaustive ranking most plain-term queries with few matches take.
@Suite struct PostingsAggregationTests {
    /// A new collection looks empty to the planner until `postings` is analysed again. Its query must still
    /// read each lexeme's postings by key: planned as a scan of the whole collection's postings, compared
    /// with every lexeme, a two-word query over 5,000 documents took 87.5 ms instead of 0.64 ms.
    @Test func theSumsReadEachListByKeyWhateverTheStatistics() async throws {
        try await ImportFixture.with { fixture in
            let fresh = try await ImpactRefreshTests.collectionWithStaleStatistics(fixture, 2_000)
            let request = SearchRequest(collection: "fresh", query: "number42 number43", limit: 5)
            let engine = PostgresSearchEngine(pool: fixture.schema.pool, cursorAuthenticator: HMACCursorAuthenticator.random())
            let plan = try await fixture.schema.pool.withConnection { connection in
                try await engine.plan(
                    request, parsed: QueryParser.parse(request.query), filters: try FilterSQL([]), cursor: nil, on: connection)
            }
            // The strategy a search takes for this query where packed postings do not rank it (off, or no packs).
            #expect(plan.postingsDecideMatches && !plan.exceedsExhaustiveLimit(engine.options))

            let explained = try await fixture.schema.pool.query("EXPLAIN (FORMAT JSON) " + PostingsAggregation.statement(plan, after: nil))
                .single().decode(String.self, column: "QUERY PLAN")
            let scans = try ImpactRefreshTests.postingsScans(explained)
            #expect(!scans.isEmpty)
            for scan in scans {
                let condition = scan["Index Cond"] as? String ?? ""
                #expect(condition.contains("collection_id = ") && condition.contains("lexeme = "), "\(explained)")
            }

            // And the search through it still finds every match.
            var options = PostgresSearchEngine.Options()
            options.packedPostings = false
            let page = try await PostgresSearchEngine(
                pool: fixture.schema.pool, cursorAuthenticator: HMACCursorAuthenticator.random(), options: options
            ).search(request)
            let expected = try await fixture.schema.pool.query("""
                SELECT count(*) AS n FROM documents
                WHERE collection_id = \(fresh.id) AND (document->>'title' LIKE '% number42 %' OR document->>'title' LIKE '% number43 %')
                """).single().decode(Int.self, column: "n")
            #expect(expected > 10)
            #expect(page.totalIsExact && page.estimatedTotalHits == expected && page.hits.count == 5)
        }
    }
}
