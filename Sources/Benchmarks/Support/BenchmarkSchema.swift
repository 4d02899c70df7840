public import PostgresClient
import Foundation
public import PostgresSearch

/// A schema of its own for one benchmark run, migrated to the current version, so a run never touches an
/// application's collections and two runs never see each other's data.
public struct BenchmarkSchema: Sendable {
    public let name: String
    public let pool: PostgresConnectionPool
    private let configuration: PostgresConfiguration

    /// Creates `loupe_bench_<label>_<random>` (the label is reduced to [a-z0-9_]) and applies every migration.
    public static func create(
        configuration: PostgresConfiguration, label: String, migrations: [Migration], connections: Int
    ) async throws -> BenchmarkSchema {
        let safeLabel = String(label.lowercased().map { $0.isLetter && $0.isASCII || $0.isNumber && $0.isASCII ? $0 : "_" }.prefix(24))
        let name = "loupe_bench_\(safeLabel)_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try await PostgresConnection.connect(configuration)
        // The name is built above from [a-z0-9_] only, so it is safe to splice as an identifier.
        try await admin.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(name)"))
        var scoped = configuration
        scoped.searchPath = [name]
        let pool = PostgresConnectionPool(configuration: scoped, options: .init(maximumConnections: connections))
        try await Migrator(pool: pool, migrations: migrations).up()
        return BenchmarkSchema(name: name, pool: pool, configuration: configuration)
    }

    /// PostgreSQL's version and the settings that move search timings, for the machine facts.
    public func serverFacts() async throws -> [String: String] {
        try await Self.serverFacts(of: pool)
    }

    /// The same for any pool's server.
    public static func serverFacts(of pool: PostgresConnectionPool) async throws -> [String: String] {
        var facts: [String: String] = [:]
        let version = try await pool.query("SELECT version() AS v").single().decode(String.self, column: "v")
        facts["postgresql"] = String(version.prefix { $0 != "," })
        for setting in ["shared_buffers", "work_mem", "max_parallel_workers_per_gather", "effective_cache_size", "jit"] {
            facts[setting] = try await pool.query("SELECT current_setting(\(setting)) AS v").single().decode(String.self, column: "v")
        }
        return facts
    }

    /// Bytes on disk of every table and index in the schema (the collection is the only one in it).
    public func diskBytes() async throws -> Int {
        try await pool.query("""
            SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::int8 AS bytes
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = \(name) AND c.relkind IN ('r', 'm')
            """).single().decode(Int.self, column: "bytes")
    }

    /// Shuts the pool down and drops the schema with everything in it.
    public func drop() async throws {
        await pool.shutdown()
        let admin = try await PostgresConnection.connect(configuration)
        try await admin.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(name) CASCADE"))
    }

    /// Shuts the pool down and keeps the schema, for inspecting plans afterwards.
    public func keep() async {
        await pool.shutdown()
    }
}
