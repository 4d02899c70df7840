import ArgumentParser

@main
struct Loupe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loupe",
        abstract: "Full-text search on PostgreSQL.",
        subcommands: [ServeCommand.self, DatabaseCommand.self, MigrateCommand.self, ImportCommand.self, ReindexCommand.self, BenchCommand.self]
    )
}
