import ArgumentParser
import Foundation
import PostgresClient
import PostgresSearch

/// How a command finds its database and migrations.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: ArgumentHelp(
        "postgres:// URL. Defaults to $DATABASE_URL, then to the local cluster in ./.loupe/postgres.",
        valueName: "url"))
    var databaseURL: String?

    @Option(help: ArgumentHelp("Folder of NNNN_name.up.sql/.down.sql files (default: ./migrations).", valueName: "dir"))
    var migrations: String?

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Keep statements run more than once prepared on the server. Turn off behind PgBouncer's transaction mode (before 1.21)."))
    var preparedStatements = true

    func configuration() async throws -> PostgresConfiguration {
        var configuration = try await PostgresConfiguration.resolve(url: databaseURL) { cluster in
            printError("Starting the local PostgreSQL cluster in \(cluster.directory.path) ...")
        }
        configuration.preparedStatements = preparedStatements
        return configuration
    }

    /// Whether the database is the Loupe-managed local cluster (no URL given anywhere).
    var usesLocalCluster: Bool {
        (databaseURL ?? "").isEmpty && (ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "").isEmpty
    }

    func migrationList() throws -> [Migration] {
        let directory = migrations.map { URL(fileURLWithPath: $0) } ?? MigrationSource.defaultDirectory()
        return try MigrationSource.load(from: directory)
    }

    /// A small pool for one command, shut down when `body` ends.
    func withPool<T>(_ body: (PostgresConnectionPool) async throws -> T) async throws -> T {
        let pool = PostgresConnectionPool(
            configuration: try await configuration(), options: .init(maximumConnections: 2))
        do {
            let value = try await body(pool)
            await pool.shutdown()
            return value
        } catch {
            await pool.shutdown()
            throw error
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
