import ArgumentParser
import Foundation
import PostgresSearch

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply, revert or list schema migrations.",
        subcommands: [Up.self, Down.self, Status.self]
    )

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending migrations.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "Stop after this version.")
        var to: Int?

        func run() async throws {
            let migrations = try database.migrationList()
            let applied = try await database.withPool { pool in
                try await Migrator(pool: pool, migrations: migrations).up(to: to)
            }
            if applied.isEmpty { print("Nothing to apply; the schema is up to date.") }
            for migration in applied { print("applied  \(migration.upFileName)") }
        }
    }

    struct Down: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revert the N most recent migrations.")

        @OptionGroup var database: DatabaseOptions

        @Argument(help: "How many migrations to revert.")
        var count: Int

        func validate() throws {
            guard count >= 1 else { throw ValidationError("N must be at least 1") }
        }

        func run() async throws {
            let migrations = try database.migrationList()
            let reverted = try await database.withPool { pool in
                try await Migrator(pool: pool, migrations: migrations).down(count)
            }
            if reverted.isEmpty { print("Nothing to revert.") }
            for migration in reverted { print("reverted \(migration.downFileName)") }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List applied and pending migrations.")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let migrations = try database.migrationList()
            let entries = try await database.withPool { pool in
                try await Migrator(pool: pool, migrations: migrations).status()
            }
            print("version  state    applied at (UTC)     name")
            for entry in entries {
                let when = entry.appliedAt.map { String(describing: $0).prefix(19) } ?? "-"
                let version = String(format: "%04d", entry.version)
                let state = entry.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                print("\(version)     \(state) \(String(when).padding(toLength: 20, withPad: " ", startingAt: 0)) \(entry.name)")
            }
            let pending = entries.filter { $0.state == .pending }.count
            print("\(entries.count - pending) applied, \(pending) pending")
            if entries.contains(where: { $0.state == .changed || $0.state == .missing }) { throw ExitCode(2) }
        }
    }
}
