import ArgumentParser

@main
struct Loupe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loupe",
        abstract: "Full-text search on PostgreSQL.",
        subcommands: [DatabaseCommand.self, MigrateCommand.self]
    )
}
