import LoupeTestSupport
import PostgresClient

extension ImportFixture {
    /// The server process behind `connection`, to find who waits for it.
    static func backendPID(_ connection: PostgresConnection) async throws -> Int {
        try await connection.query("SELECT pg_backend_pid() AS pid").single().decode(Int.self, column: "pid")
    }

    /// Polls until at least `count` backends wait for `holder`, directly or behind a backend that does (about twenty
    /// seconds at most); returns how many wait. Only waits that start at this test's own holder count, so tests
    /// running at the same time in the database cannot.
    func waiting(behind holder: Int, atLeast count: Int) async throws -> Int {
        var waiting = 0
        for _ in 0..<400 where waiting < count {
            try await Task.sleep(for: .milliseconds(50))
            waiting = try await schema.pool.query("""
                WITH blocked AS (
                    SELECT pid, pg_blocking_pids(pid) AS by FROM pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0)
                SELECT count(*) AS n FROM blocked AS b
                WHERE \(holder) = ANY (b.by) OR EXISTS (SELECT 1 FROM blocked AS c WHERE c.pid = ANY (b.by) AND \(holder) = ANY (c.by))
                """).single().decode(Int.self, column: "n")
        }
        return waiting
    }
}
