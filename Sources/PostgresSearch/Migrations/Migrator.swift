public import Foundation
public import PostgresClient

/// Applies and reverts migrations. Each migration runs in its own transaction (unless marked
/// no-transaction), and a PostgreSQL advisory lock keyed on the schema makes concurrent runs safe:
/// the second runner waits, then finds nothing left to do.
public struct Migrator: Sendable {
    public enum State: String, Sendable {
        case applied, pending
        /// Applied, but the file changed since.
        case changed
        /// Applied, but no file exists for it.
        case missing
    }

    public struct Entry: Sendable {
        public let version: Int
        public let name: String
        public let state: State
        public let appliedAt: Date?
    }

    public let pool: PostgresConnectionPool
    public let migrations: [Migration]
    /// How often a waiting runner retries the lock.
    public var lockPollInterval: Duration = .milliseconds(100)

    public init(pool: PostgresConnectionPool, migrations: [Migration]) {
        self.pool = pool
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Applies every pending migration (up to `target`, if given). Returns those applied by this run.
    @discardableResult
    public func up(to target: Int? = nil) async throws -> [Migration] {
        try await withMigrationLock { connection in
            let applied = try await appliedRows(connection)
            try verifyChecksums(applied)
            var done: [Migration] = []
            for migration in migrations where applied[migration.version] == nil {
                if let target, migration.version > target { break }
                try await apply(migration, on: connection)
                done.append(migration)
            }
            return done
        }
    }

    /// Reverts the `count` most recently applied migrations, newest first. Returns those reverted.
    @discardableResult
    public func down(_ count: Int) async throws -> [Migration] {
        try await withMigrationLock { connection in
            let applied = try await appliedRows(connection)
            let newest = applied.keys.sorted(by: >).prefix(max(0, count))
            var done: [Migration] = []
            for version in newest {
                guard let migration = migrations.first(where: { $0.version == version }) else {
                    throw MigrationError.appliedButMissing(version: version, name: applied[version]?.name ?? "?")
                }
                try await revert(migration, on: connection)
                done.append(migration)
            }
            return done
        }
    }

    /// Every migration known from files or from the database, with its state.
    public func status() async throws -> [Entry] {
        try await pool.withConnection { connection in
            let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
            let applied = try await exists.single().decode(Bool.self, column: "present") ? appliedRows(connection) : [:]
            var entries: [Entry] = migrations.map { migration in
                guard let row = applied[migration.version] else {
                    return Entry(version: migration.version, name: migration.name, state: .pending, appliedAt: nil)
                }
                let state: State = row.checksum == migration.checksum ? .applied : .changed
                return Entry(version: migration.version, name: migration.name, state: state, appliedAt: row.appliedAt)
            }
            for (version, row) in applied where !migrations.contains(where: { $0.version == version }) {
                entries.append(Entry(version: version, name: row.name, state: .missing, appliedAt: row.appliedAt))
            }
            return entries.sorted { $0.version < $1.version }
        }
    }

    // MARK: internals

    private struct AppliedRow {
        let name: String
        let checksum: String
        let appliedAt: Date
    }

    private func withMigrationLock<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await pool.withConnection { connection in
            // Poll instead of blocking in pg_advisory_lock: a waiting statement holds a snapshot, which a
            // CREATE INDEX CONCURRENTLY in the lock holder would wait on, deadlocking the two runners.
            while true {
                let row = try await connection.query(
                    "SELECT pg_try_advisory_lock(hashtextextended('loupe.migrations:' || current_schema(), 0)) AS locked"
                ).single()
                if try row.decode(Bool.self, column: "locked") { break }
                try await Task.sleep(for: lockPollInterval)
            }
            do {
                try await ensureTable(connection)
                let value = try await body(connection)
                try await unlock(connection)
                return value
            } catch {
                try? await unlock(connection)
                throw error
            }
        }
    }

    private func unlock(_ connection: PostgresConnection) async throws {
        try await connection.query(
            "SELECT pg_advisory_unlock(hashtextextended('loupe.migrations:' || current_schema(), 0))")
    }

    private func ensureTable(_ connection: PostgresConnection) async throws {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    BIGINT      NOT NULL,
                name       TEXT        NOT NULL,
                checksum   TEXT        NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                CONSTRAINT schema_migrations_version_pkey PRIMARY KEY (version)
            )
            """)
    }

    private func appliedRows(_ connection: PostgresConnection) async throws -> [Int: AppliedRow] {
        let rows = try await connection.query("SELECT version, name, checksum, applied_at FROM schema_migrations")
        var applied: [Int: AppliedRow] = [:]
        for row in rows {
            applied[try row.decode(Int.self, column: "version")] = AppliedRow(
                name: try row.decode(String.self, column: "name"),
                checksum: try row.decode(String.self, column: "checksum"),
                appliedAt: try row.decode(Date.self, column: "applied_at"))
        }
        return applied
    }

    private func verifyChecksums(_ applied: [Int: AppliedRow]) throws {
        for migration in migrations {
            if let row = applied[migration.version], row.checksum != migration.checksum {
                throw MigrationError.checksumMismatch(
                    file: migration.upFileName, recorded: row.checksum, current: migration.checksum)
            }
        }
    }

    private func apply(_ migration: Migration, on connection: PostgresConnection) async throws {
        let record: PostgresQuery = """
            INSERT INTO schema_migrations (version, name, checksum)
            VALUES (\(migration.version), \(migration.name), \(migration.checksum))
            """
        try await run(migration.upFileName, inTransaction: migration.runsInTransaction, on: connection) {
            try await connection.unsafeExecuteScript(migration.upSQL)
            try await connection.query(record)
        }
    }

    private func revert(_ migration: Migration, on connection: PostgresConnection) async throws {
        let forget: PostgresQuery = "DELETE FROM schema_migrations WHERE version = \(migration.version)"
        try await run(migration.downFileName, inTransaction: migration.downRunsInTransaction, on: connection) {
            try await connection.unsafeExecuteScript(migration.downSQL)
            try await connection.query(forget)
        }
    }

    private func run(
        _ file: String, inTransaction: Bool, on connection: PostgresConnection,
        _ body: () async throws -> Void
    ) async throws {
        do {
            if inTransaction {
                try await connection.withTransaction { _ in try await body() }
            } else {
                try await body()
            }
        } catch let error as PostgresError {
            throw MigrationError.failed(file: file, reason: error.description)
        }
    }
}
