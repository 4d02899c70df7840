import LoupeTestSupport
@testable import PostgresClient
import Testing

@Suite struct PreparedStatementCacheTests {
    private func key(_ sql: String, _ types: [UInt32] = []) -> PreparedStatementCache.Key {
        PreparedStatementCache.Key(sql: sql, types: types)
    }

    @Test func preparesFromTheThresholdRunOn() {
        var cache = PreparedStatementCache(capacity: 4, threshold: 2)
        #expect(cache.decide(key("SELECT 1")) == .unprepared)
        guard case .prepare(let name) = cache.decide(key("SELECT 1")) else {
            Issue.record("the second run should prepare")
            return
        }
        #expect(cache.decide(key("SELECT 1")) == .prepared(name))
        // The same text with other parameter types is another statement.
        #expect(cache.decide(key("SELECT 1", [25])) == .unprepared)
    }

    @Test func turnedOffNothingIsPrepared() {
        var cache = PreparedStatementCache(capacity: 4, threshold: 1, enabled: false)
        for _ in 0..<3 { #expect(cache.decide(key("SELECT 1")) == .unprepared) }
        #expect(cache.preparedCount == 0)
    }

    @Test func evictsTheLeastRecentlyUsedAndQueuesItsDeallocation() {
        var cache = PreparedStatementCache(capacity: 2, threshold: 1)
        var names: [String] = []
        for sql in ["a", "b"] {
            guard case .prepare(let name) = cache.decide(key(sql)) else { Issue.record("expected a preparation"); return }
            names.append(name)
        }
        #expect(cache.decide(key("a")) == .prepared(names[0]))
        // "b" is now the least recently used: preparing "c" lets it go.
        guard case .prepare = cache.decide(key("c")) else { Issue.record("expected a preparation"); return }
        #expect(cache.preparedCount == 2)
        #expect(cache.pendingDeallocations == [names[1]])
        cache.deallocated(cache.pendingDeallocations)
        #expect(cache.pendingDeallocations.isEmpty)
        #expect(cache.decide(key("a")) == .prepared(names[0]))
    }

    @Test func statementsSeenOnceStayBounded() {
        var cache = PreparedStatementCache(capacity: 2, threshold: 3)
        for index in 0..<1_000 { _ = cache.decide(key("SELECT \(index)")) }
        // Nothing reached the threshold, so nothing is prepared and nothing waits for deallocation.
        #expect(cache.preparedCount == 0)
        #expect(cache.pendingDeallocations.isEmpty)
        // A statement run often enough still gets prepared.
        for _ in 0..<2 { #expect(cache.decide(key("SELECT 'hot'")) == .unprepared) }
        guard case .prepare = cache.decide(key("SELECT 'hot'")) else { Issue.record("expected a preparation"); return }
    }

    @Test func invalidationForgetsTheStatementAndDeallocatesIt() {
        var cache = PreparedStatementCache(capacity: 2, threshold: 1)
        guard case .prepare(let name) = cache.decide(key("a")) else { Issue.record("expected a preparation"); return }
        cache.invalidate(key("a"))
        #expect(cache.pendingDeallocations == [name])
        guard case .prepare(let renamed) = cache.decide(key("a")) else { Issue.record("expected a fresh preparation"); return }
        #expect(renamed != name)
    }
}

@Suite struct PreparedStatementTests {
    private static func preparedStatements(_ connection: PostgresConnection) async throws -> [String] {
        try await connection.query("SELECT statement FROM pg_prepared_statements ORDER BY name").map {
            try $0.decode(String.self, column: "statement")
        }
    }

    @Test func repeatedStatementsRunPreparedAndGiveTheSameRows() async throws {
        try await TestDatabase.withSchema { schema in
            try await schema.pool.withConnection { connection in
                try await connection.query("CREATE TABLE words (id INTEGER PRIMARY KEY, word TEXT NOT NULL)")
                for (id, word) in ["alpha", "beta", "gamma"].enumerated() {
                    try await connection.query("INSERT INTO words (id, word) VALUES (\(id), \(word))")
                }
                for id in 0..<3 {
                    let row = try await connection.query("SELECT word FROM words WHERE id = \(id)").single()
                    #expect(try row.decode(String.self, column: "word") == ["alpha", "beta", "gamma"][id])
                }
                let prepared = try await Self.preparedStatements(connection)
                #expect(prepared.contains { $0.contains("INSERT INTO words") })
                #expect(prepared.contains { $0.contains("SELECT word FROM words") })
                #expect(!prepared.contains { $0.contains("CREATE TABLE") })
                // Prepared, yet planned for each run's values.
                let mode = try await connection.query("SELECT current_setting('plan_cache_mode') AS mode").single()
                #expect(try mode.decode(String.self, column: "mode") == "force_custom_plan")
            }
        }
    }

    @Test func aResultTypeChangedByDDLIsRecoveredFrom() async throws {
        try await TestDatabase.withSchema { schema in
            try await schema.pool.withConnection { connection in
                try await connection.query("CREATE TABLE shapes (id INTEGER PRIMARY KEY)")
                try await connection.query("INSERT INTO shapes (id) VALUES (1)")
                for _ in 0..<3 { #expect(try await connection.query("SELECT * FROM shapes").columns == ["id"]) }
                try await connection.query("ALTER TABLE shapes ADD COLUMN label TEXT NOT NULL DEFAULT 'x'")
                // Outside a transaction nothing was aborted: the statement is re-run unnamed at once.
                #expect(try await connection.query("SELECT * FROM shapes").columns == ["id", "label"])
                for _ in 0..<2 { #expect(try await connection.query("SELECT * FROM shapes").columns == ["id", "label"]) }
                // Inside a transaction the stale statement fails (and the transaction with it) ...
                let failure = await #expect(throws: PostgresError.self) {
                    try await connection.withTransaction { transaction in
                        _ = try await transaction.query("SELECT * FROM shapes")
                        try await transaction.query("ALTER TABLE shapes ADD COLUMN size INTEGER")
                        _ = try await transaction.query("SELECT * FROM shapes")
                    }
                }
                #expect(failure?.code == .featureNotSupported)
                // ... and the next run prepares it afresh (the rollback undid the new column).
                for _ in 0..<3 { #expect(try await connection.query("SELECT * FROM shapes").columns == ["id", "label"]) }
            }
        }
    }

    @Test func evictedStatementsAreDeallocatedOnTheServer() async throws {
        try await TestDatabase.withSchema { schema in
            try await schema.pool.withConnection { connection in
                let capacity = PreparedStatementCache().capacity
                for index in 0..<(capacity + 20) {
                    for _ in 0..<2 {
                        // A distinct statement text each time: the alias is part of it.
                        let row = try await connection.query("SELECT \(index)::int AS n\(unsafeRaw: String(index))").single()
                        #expect(try row.decode(Int.self, column: "n\(index)") == index)
                    }
                }
                _ = try await connection.query("SELECT 1 AS settle")
                let prepared = try await Self.preparedStatements(connection)
                #expect(prepared.count <= capacity)
                #expect(prepared.count >= capacity - 1)
            }
        }
    }
}
