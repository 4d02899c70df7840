import Foundation
import LoupeTestSupport
import PostgresClient
import Testing

@Suite struct LocalClusterTests {
    @Test func missingServerProgramsNameTheInstallCommand() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let error = #expect(throws: LocalClusterError.self) {
            try PostgresBinaries.locate(environment: ["PATH": empty.path], systemRoot: empty)
        }
        #expect(error?.description.contains("apt-get install -y postgresql postgresql-contrib") == true)
        let explicit = #expect(throws: LocalClusterError.self) {
            try PostgresBinaries.locate(environment: ["LOUPE_PG_BIN": empty.path], systemRoot: empty)
        }
        #expect(explicit?.description.contains("LOUPE_PG_BIN") == true)
    }

    @Test func clusterLifecycleUsesAPrivateSocketAndNoTCP() async throws {
        try await TestDatabase.withPrivateCluster { cluster in
            guard case .running = try await cluster.status() else {
                Issue.record("the cluster should be running")
                return
            }
            let connection = try await PostgresConnection.connect(try await cluster.configuration())
            let row = try await connection.query("""
                SELECT current_setting('listen_addresses') AS listen,
                       current_setting('unix_socket_directories') AS sockets,
                       current_user AS who, current_database() AS db,
                       current_setting('default_text_search_config') AS config
                """).single()
            // initdb prefixes pg_catalog itself; a doubled prefix breaks parallel workers.
            #expect(try row.decode(String.self, column: "config") == "pg_catalog.english")
            #expect(try row.decode(String.self, column: "listen") == "")
            #expect(try row.decode(String.self, column: "sockets") == cluster.socketDirectory.path)
            #expect(try row.decode(String.self, column: "who") == LocalCluster.superuser)
            #expect(try row.decode(String.self, column: "db") == LocalCluster.defaultDatabase)
            // Starting again is harmless.
            try await cluster.start(.init(durable: false))
            try await cluster.stop()
            #expect(try await cluster.status() == .stopped)
            try await cluster.start(.init(durable: false))
            let url = try await cluster.url()
            let viaURL = try await PostgresConnection.connect(try PostgresConfiguration(url: url))
            let one = try await viaURL.query("SELECT 1 AS one").single()
            #expect(try one.decode(Int.self, column: "one") == 1)
        }
    }
}
