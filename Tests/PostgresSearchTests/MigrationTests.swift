import Foundation
import LoupeTestSupport
import PostgresClient
import PostgresSearch
import Testing

@Suite struct MigrationTests {
    static func projectMigrations() throws -> [Migration] {
        try MigrationSource.load(from: MigrationSource.sourceTreeDirectory)
    }

    static func tables(_ schema: TestSchema) async throws -> Set<String> {
        let rows = try await schema.pool.query("SELECT tablename FROM pg_tables WHERE schemaname = \(schema.name)")
        return Set(try rows.map { try $0.decode(String.self, column: "tablename") })
    }

    @Test func everyMigrationHasADownAndLoadsInOrder() throws {
        let migrations = try Self.projectMigrations()
        #expect(migrations.count >= 4)
        #expect(migrations.map(\.version) == migrations.map(\.version).sorted())
        #expect(migrations.allSatisfy { !$0.downSQL.isEmpty })
        let concurrent = try #require(migrations.first { $0.upSQL.contains("CONCURRENTLY") })
        #expect(!concurrent.runsInTransaction)
        #expect(!concurrent.downRunsInTransaction)
        let transactional = migrations.filter { !$0.upSQL.contains("CONCURRENTLY") }
        #expect(transactional.allSatisfy { $0.runsInTransaction })
    }

    @Test func freshSchemaMigratesUpAndAllTheWayDown() async throws {
        try await TestDatabase.withSchema { schema in
            let migrator = Migrator(pool: schema.pool, migrations: try Self.projectMigrations())
            #expect(try await migrator.status().allSatisfy { $0.state == .pending })
            let applied = try await migrator.up()
            #expect(applied.count == migrator.migrations.count)
            #expect(try await Self.tables(schema) == [
                "collections", "collection_fields", "documents", "api_keys", "schema_migrations",
                "collection_statistics", "term_statistics", "postings", "collection_attributes", "collection_jobs",
                "packed_documents", "packed_postings", "postings_changes",
            ])
            #expect(try await migrator.status().allSatisfy { $0.state == .applied })
            #expect(try await migrator.up().isEmpty)

            // Down one at a time, checking each step leaves a consistent schema.
            for remaining in stride(from: migrator.migrations.count - 1, through: 0, by: -1) {
                let reverted = try await migrator.down(1)
                #expect(reverted.count == 1)
                let status = try await migrator.status()
                #expect(status.filter { $0.state == .applied }.count == remaining)
            }
            #expect(try await Self.tables(schema) == ["schema_migrations"])
            let leftovers = try await schema.pool.query("""
                SELECT count(*) AS n FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = \(schema.name)
                """).single()
            #expect(try leftovers.decode(Int.self, column: "n") == 0)
            #expect(try await migrator.down(1).isEmpty)
            // And up again from nothing.
            #expect(try await migrator.up().count == migrator.migrations.count)
        }
    }

    @Test func upToATargetStopsThere() async throws {
        try await TestDatabase.withSchema { schema in
            let migrator = Migrator(pool: schema.pool, migrations: try Self.projectMigrations())
            #expect(try await migrator.up(to: 2).map(\.version) == [1, 2])
            #expect(try await migrator.status().filter { $0.state == .pending }.count == migrator.migrations.count - 2)
        }
    }

    @Test func aChangedAppliedMigrationIsRefused() async throws {
        try await TestDatabase.withSchema { schema in
            let original = try Self.projectMigrations()
            try await Migrator(pool: schema.pool, migrations: original).up()
            var edited = original
            let first = original[0]
            edited[0] = Migration(
                version: first.version, name: first.name, upSQL: first.upSQL + "\n-- a quiet edit\n",
                downSQL: first.downSQL)
            let migrator = Migrator(pool: schema.pool, migrations: edited)
            let error = await #expect(throws: MigrationError.self) { try await migrator.up() }
            guard case .checksumMismatch(let file, _, _)? = error else {
                Issue.record("expected a checksum mismatch, got \(String(describing: error))")
                return
            }
            #expect(file == "0001_create_collections.up.sql")
            #expect(error?.description.contains("0001_create_collections.up.sql") == true)
            #expect(try await migrator.status().first?.state == .changed)
        }
    }

    @Test func concurrentRunnersApplyEachMigrationOnce() async throws {
        try await TestDatabase.withSchema { schema in
            let migrations = try Self.projectMigrations()
            let pools = (0..<4).map { _ in schema.makePool(maximumConnections: 1) }
            let appliedCounts = try await withThrowingTaskGroup(of: Int.self) { group in
                for pool in pools {
                    group.addTask { try await Migrator(pool: pool, migrations: migrations).up().count }
                }
                var counts: [Int] = []
                for try await count in group { counts.append(count) }
                return counts
            }
            for pool in pools { await pool.shutdown() }
            #expect(appliedCounts.reduce(0, +) == migrations.count)
            #expect(appliedCounts.filter { $0 > 0 }.count == 1)
            let rows = try await schema.pool.query("SELECT count(*) AS n, count(DISTINCT version) AS d FROM schema_migrations").single()
            #expect(try rows.decode(Int.self, column: "n") == migrations.count)
            #expect(try rows.decode(Int.self, column: "d") == migrations.count)
        }
    }

    @Test func aFailingMigrationLeavesNothingBehind() async throws {
        try await TestDatabase.withSchema { schema in
            let good = Migration(version: 1, name: "good", upSQL: "CREATE TABLE good (id INT);", downSQL: "DROP TABLE good;")
            let bad = Migration(
                version: 2, name: "bad",
                upSQL: "CREATE TABLE half (id INT);\nINSERT INTO half VALUES (1);\nSELECT 1/0;",
                downSQL: "DROP TABLE half;")
            let migrator = Migrator(pool: schema.pool, migrations: [good, bad])
            let error = await #expect(throws: MigrationError.self) { try await migrator.up() }
            #expect(error?.description.contains("0002_bad.up.sql") == true)
            #expect(error?.description.contains("division by zero") == true)
            #expect(try await Self.tables(schema) == ["good", "schema_migrations"])
            let status = try await migrator.status()
            #expect(status.map(\.state) == [.applied, .pending])
        }
    }

    @Test func badMigrationFoldersAreExplained() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "SELECT 1;".write(to: folder.appendingPathComponent("0001_first.up.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.missingDown("0001_first.up.sql")) { try MigrationSource.load(from: folder) }
        try "SELECT 1;".write(to: folder.appendingPathComponent("0001_first.down.sql"), atomically: true, encoding: .utf8)
        #expect(try MigrationSource.load(from: folder).count == 1)
        try "SELECT 1;".write(to: folder.appendingPathComponent("2_Bad Name.up.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.badFileName("2_Bad Name.up.sql")) { try MigrationSource.load(from: folder) }
    }
}
