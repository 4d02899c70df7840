import Foundation
import LoupeTestSupport
import PostgresClient
import Testing

/// Test schemas that a killed run left behind are dropped by a later run; those in use are not.
@Suite struct TestSchemaSweepTests {
    @Test func onlyOldOrLegacyTestSchemasCountAsAbandoned() {
        let now = Date()
        #expect(TestDatabase.isAbandoned(TestDatabase.schemaName(createdAt: now.addingTimeInterval(-7 * 3600)), now: now))
        #expect(!TestDatabase.isAbandoned(TestDatabase.schemaName(createdAt: now.addingTimeInterval(-3600)), now: now))
        #expect(!TestDatabase.isAbandoned(TestDatabase.schemaName(createdAt: now), now: now))
        #expect(TestDatabase.isAbandoned("test_0b936a2860f345ac", now: now))
        for other in ["public", "bench_scale", "test_live_0123456789ab", "test_0b936a2860f345a", "test_0B936A2860F345AC",
                      "test_abc_0b936a2860f345ac", "test_1_0b936a2860f345ac_x", "tests_0b936a2860f345ac"] {
            #expect(!TestDatabase.isAbandoned(other, now: now), "\(other)")
        }
    }

    @Test func theSweepDropsAbandonedSchemasAndKeepsLiveOnes() async throws {
        let server = try await TestDatabase.serverConfiguration()
        let connection = try await PostgresConnection.connect(server)
        let now = Date()
        let abandoned = TestDatabase.schemaName(createdAt: now.addingTimeInterval(-TestDatabase.abandonedAfter - 60))
        let live = TestDatabase.schemaName(createdAt: now.addingTimeInterval(-60))
        for name in [abandoned, live] {
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(name)"))
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(name).t (x int)"))
        }
        let dropped = try await TestDatabase.dropAbandonedSchemas(on: connection, now: now)
        #expect(dropped.contains(abandoned) && !dropped.contains(live))
        let present = try await connection.query(
            "SELECT array_agg(nspname::text ORDER BY nspname) AS names FROM pg_namespace WHERE nspname IN (\(abandoned), \(live))"
        ).single().decode([String].self, column: "names")
        #expect(present == [live])
        try await connection.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(live) CASCADE"))
    }
}
