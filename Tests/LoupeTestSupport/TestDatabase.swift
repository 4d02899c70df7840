public import Foundation
public import PostgresClient

/// Gives each test its own schema on a real PostgreSQL server, so tests run in parallel without seeing
/// each other's rows.
///
/// The server is `DATABASE_URL` when set (the test script starts a throwaway cluster and sets it), or else
/// a local cluster in `<repo>/.loupe/test-postgres`, started once with the same code as `loupe db start`.
public enum TestDatabase {
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Where the shared test server is.
    public static func serverConfiguration() async throws -> PostgresConfiguration {
        try await SharedServer.shared.configuration()
    }

    /// Runs `body` with a pool bound to a fresh, empty schema, dropped afterwards.
    public static func withSchema<T>(
        maximumConnections: Int = 4,
        _ body: (TestSchema) async throws -> T
    ) async throws -> T {
        let server = try await serverConfiguration()
        let name = schemaName(createdAt: Date())
        let admin = try await PostgresConnection.connect(server)
        try await admin.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(name)"))
        var configuration = server
        configuration.searchPath = [name]
        let pool = PostgresConnectionPool(
            configuration: configuration, options: .init(maximumConnections: maximumConnections))
        let schema = TestSchema(name: name, configuration: configuration, pool: pool)
        do {
            let value = try await body(schema)
            await pool.shutdown()
            try await admin.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(name) CASCADE"))
            return value
        } catch {
            await pool.shutdown()
            _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(name) CASCADE"))
            throw error
        }
    }

    /// `test_<creation time in Unix seconds>_<16 hex digits>`: the time lets a later run tell a schema that a
    /// killed run left behind from one a concurrent run is using.
    public static func schemaName(createdAt: Date) -> String {
        "test_\(Int(createdAt.timeIntervalSince1970))_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
    }

    /// No test run lasts this long: an older test schema was left by a run that was killed before it could
    /// drop it.
    public static let abandonedAfter: TimeInterval = 6 * 3600

    /// True for a test schema name created more than `abandonedAfter` before `now`, or in the form used
    /// before creation times were recorded (`test_` and 16 hex digits), which only an earlier build makes.
    public static func isAbandoned(_ name: String, now: Date) -> Bool {
        let parts = name.split(separator: "_", omittingEmptySubsequences: false)
        let isHex = { (text: Substring) in text.count == 16 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase } }
        guard parts.first == "test" else { return false }
        if parts.count == 2 { return isHex(parts[1]) }
        guard parts.count == 3, isHex(parts[2]), let seconds = Int(parts[1]) else { return false }
        return now.timeIntervalSince1970 - Double(seconds) > abandonedAfter
    }

    /// Drops the test schemas that killed runs left behind; returns their names.
    @discardableResult
    public static func dropAbandonedSchemas(on connection: PostgresConnection, now: Date = Date()) async throws -> [String] {
        let rows = try await connection.query("SELECT nspname::text AS name FROM pg_namespace WHERE nspname LIKE 'test\\_%'")
        let abandoned = try rows.map { try $0.decode(String.self, column: "name") }.filter { isAbandoned($0, now: now) }
        for name in abandoned {
            // isAbandoned accepts only letters, digits and underscores.
            _ = try? await connection.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(name) CASCADE"))
        }
        return abandoned
    }

    /// A throwaway cluster of its own in a temporary folder, for tests that stop or restart the server.
    public static func withPrivateCluster<T>(_ body: (LocalCluster) async throws -> T) async throws -> T {
        let folder = URL(fileURLWithPath: "/tmp/loupe-cluster-\(UUID().uuidString.prefix(8))")
        let cluster = LocalCluster(directory: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            try await cluster.start(.init(durable: false))
            let value = try await body(cluster)
            try await cluster.stop()
            return value
        } catch {
            try? await cluster.stop()
            throw error
        }
    }
}

/// One test's schema and a pool whose connections use it.
public struct TestSchema: Sendable {
    public let name: String
    public let configuration: PostgresConfiguration
    public let pool: PostgresConnectionPool

    /// A separate pool on the same schema, as a second process would have. `applicationName` names its sessions
    /// in `pg_stat_activity`, so a test can find its own among those of tests running at the same time.
    public func makePool(maximumConnections: Int = 2, applicationName: String? = nil) -> PostgresConnectionPool {
        var configuration = configuration
        if let applicationName { configuration.applicationName = applicationName }
        return PostgresConnectionPool(configuration: configuration, options: .init(maximumConnections: maximumConnections))
    }
}

private actor SharedServer {
    static let shared = SharedServer()
    private var resolved: Task<PostgresConfiguration, any Error>?

    func configuration() async throws -> PostgresConfiguration {
        if let resolved { return try await resolved.value }
        let task = Task<PostgresConfiguration, any Error> {
            let configuration: PostgresConfiguration
            if let fromEnvironment = try PostgresConfiguration.fromEnvironment() {
                configuration = fromEnvironment
            } else {
                let cluster = LocalCluster(directory: TestDatabase.repositoryRoot.appendingPathComponent(".loupe/test-postgres"))
                try await cluster.start(.init(durable: false))
                configuration = try await cluster.configuration()
            }
            // Once per test process, before any test makes its schema.
            try await TestDatabase.dropAbandonedSchemas(on: try await PostgresConnection.connect(configuration))
            return configuration
        }
        resolved = task
        return try await task.value
    }
}
