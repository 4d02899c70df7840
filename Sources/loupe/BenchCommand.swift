import ArgumentParser
import Benchmarks
import Foundation
import PostgresClient

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure relevance on judged collections and speed at several corpus sizes.",
        subcommands: [BenchRelevanceCommand.self, BenchSpeedCommand.self])
}

/// `--output`: where results go; created when missing.
struct BenchOutputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Folder for the JSON, Markdown and run files.", valueName: "dir"))
    var output = "bench/results"

    @Flag(help: "Keep the benchmark's database schema afterwards, to inspect plans.")
    var keepSchema = false

    func write(_ text: String, to name: String) throws -> String {
        let path = "\(output)/\(name)"
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func writeJSON(_ value: some Encodable, to name: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try write(String(decoding: try encoder.encode(value), as: UTF8.self) + "\n", to: name)
    }
}

/// The command line that reproduces a run, for the report.
func reproduceCommand() -> String {
    "swift run -c release loupe " + CommandLine.arguments.dropFirst().map { argument in
        argument.contains(where: { $0 == " " || $0 == "\"" || $0 == "'" }) ? "'\(argument.replacingOccurrences(of: "'", with: "'\\''"))'" : argument
    }.joined(separator: " ")
}

struct BenchSpeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speed",
        abstract: "Load a corpus tier and time the real query workload on Loupe's engines and plain PostgreSQL.",
        discussion: """
            Tiers 10k and 100k are even samples of the scale corpus, 300k is all of it, 1m and 3m are synthetic \
            (drawn from its word and length distributions, seed 42), prepared once under .loupe/bench. Writes \
            speed-<tier>.json and .md; `bench/plot.sh` draws the charts.
            """)

    @Option(help: ArgumentHelp("Corpus size: \(SpeedTier.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "tier"))
    var tier: String

    @Option(help: "postgres, memory or all (plain PostgreSQL always runs as the baseline).")
    var engine = "all"

    @Option(help: "Timed rounds over the workload, after one warm-up round.")
    var rounds = 3

    @Option(help: "Seconds per concurrency level in the throughput test.")
    var throughputSeconds = 5.0

    @Flag(help: "Skip the measurement through the HTTP API.")
    var noHTTP = false

    @Option(help: "Refuse a tier estimated to take longer than this many minutes.")
    var timeBudget = 60.0

    @OptionGroup var outputOptions: BenchOutputOptions
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard SpeedTier(rawValue: tier) != nil else {
            throw ValidationError("--tier must be one of \(SpeedTier.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard ["postgres", "memory", "all"].contains(engine) else { throw ValidationError("--engine must be postgres, memory or all") }
        guard (1...20).contains(rounds) else { throw ValidationError("--rounds must be 1 to 20") }
        guard throughputSeconds > 0, throughputSeconds <= 300 else { throw ValidationError("--throughput-seconds must be in (0, 300]") }
        guard timeBudget > 0 else { throw ValidationError("--time-budget must be positive") }
    }

    func run() async throws {
        var options = SpeedBenchmark.Options(tier: SpeedTier(rawValue: tier) ?? .tenThousand)
        options.engines = engine == "all" ? SpeedBenchmark.EngineChoice.allCases : [SpeedBenchmark.EngineChoice(rawValue: engine) ?? .postgres]
        options.rounds = rounds
        options.throughputSeconds = throughputSeconds
        options.measureHTTP = !noHTTP
        options.timeBudgetMinutes = timeBudget
        options.keepSchema = outputOptions.keepSchema
        options.command = reproduceCommand()
        let benchmark = SpeedBenchmark(options: options, configuration: try await database.configuration(), migrations: try database.migrationList())
        let report: SpeedReport
        do {
            report = try await benchmark.run { printError($0) }
        } catch let error as BenchmarkError {
            throw ValidationError(error.description)
        }
        let markdown = report.markdown()
        print(markdown)
        printError("wrote \(try outputOptions.writeJSON(report, to: "speed-\(tier).json")) and \(try outputOptions.write(markdown, to: "speed-\(tier).md"))")
    }
}
