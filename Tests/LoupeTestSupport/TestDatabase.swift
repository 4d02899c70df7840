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
        let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
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

    /// A separate pool on the same schema, as a second process would have.
    public func makePool(maximumConnections: Int = 2) -> PostgresConnectionPool {
        PostgresConnectionPool(configuration: configuration, options: .init(maximumConnections: maximumConnections))
    }
}

private actor SharedServer {
    static let shared = SharedServer()
    private var resolved: Task<PostgresConfiguration, any Error>?

    func configuration() async throws -> PostgresConfiguration {
        if let resolved { return try await resolved.value }
        let task = Task<PostgresConfiguration, any Error> {
            if let configuration = try PostgresConfiguration.fromEnvironment() { return configuration }
            let cluster = LocalCluster(directory: TestDatabase.repositoryRoot.appendingPathComponent(".loupe/test-postgres"))
            try await cluster.start(.init(durable: false))
            return try await cluster.configuration()
        }
        resolved = task
        return try await task.value
    }
}
