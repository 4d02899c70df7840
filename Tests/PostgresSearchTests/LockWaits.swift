import Foundation
import LoupeTestSupport
import PostgresClient

extension TestSchema {
    /// A pool of its own whose sessions carry a name no other test uses, for `waiting(named:atLeast:)`.
    func namedPool(_ role: String, maximumConnections: Int = 1) -> (pool: PostgresConnectionPool, name: String) {
        let name = "\(role)-\(UUID().uuidString.prefix(8))"
        return (makePool(maximumConnections: maximumConnections, applicationName: name), name)
    }

    /// Polls until at least `count` sessions named `name` wait for a lock (about twenty seconds at most); returns
    /// how many wait. Sessions are picked by name: other tests' migrations wait for every open transaction (CREATE
    /// INDEX CONCURRENTLY), so "who waits behind this transaction" would count them too.
    func waiting(named name: String, atLeast count: Int) async throws -> Int {
        var waiting = 0
        for _ in 0..<400 where waiting < count {
            try await Task.sleep(for: .milliseconds(50))
            waiting = try await pool.query("""
                SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = \(name) AND cardinality(pg_blocking_pids(pid)) > 0
                """).single().decode(Int.self, column: "n")
        }
        return waiting
    }
}

extension ImportFixture {
    func namedPool(_ role: String, maximumConnections: Int = 1) -> (pool: PostgresConnectionPool, name: String) {
        schema.namedPool(role, maximumConnections: maximumConnections)
    }

    func waiting(named name: String, atLeast count: Int) async throws -> Int {
        try await schema.waiting(named: name, atLeast: count)
    }
}
