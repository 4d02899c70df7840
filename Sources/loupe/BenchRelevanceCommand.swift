import ArgumentParser
import Benchmarks
import Foundation
import Relevance

struct BenchRelevanceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relevance",
        abstract: "Score Loupe's rankings and plain PostgreSQL on a judged collection in BEIR layout.",
        discussion: """
            DIR holds corpus.jsonl[.gz], queries.jsonl and qrels/<split>.tsv (or qrels.tsv). The corpus is loaded \
            into fresh collections (a schema of its own in PostgreSQL), every judged query runs through the real \
            query services, and the runs are scored like trec_eval: nDCG@10, MAP@1000, Recall@100/1000, MRR@10, \
            P@10, with paired tests against the plain ts_rank baseline. Writes relevance-<dataset>.json/.md, a \
            per-query TSV and TREC run files under runs/<dataset>/.
            """)

    @Option(help: ArgumentHelp("BEIR collection folder.", valueName: "dir"))
    var dataset: String

    @Option(help: "Judgement split: qrels/<split>.tsv.")
    var split = "test"

    @Option(help: "postgres, memory or all.")
    var engine = "all"

    @Option(help: ArgumentHelp("Rankings to run, comma-separated: bm25, ts_rank, ts_rank_cd.", valueName: "list"))
    var ranking = "bm25,ts_rank,ts_rank_cd"

    @Option(help: ArgumentHelp("A BM25 setting to evaluate beside the default, e.g. k1=1.2,b=0.75,title=2 (repeatable).", valueName: "settings"))
    var variant: [String] = []

    @Option(help: ArgumentHelp("k1 values of a grid (with --grid-b), comma-separated.", valueName: "list"))
    var gridK1: String?

    @Option(help: ArgumentHelp("b values of a grid (with --grid-k1), comma-separated.", valueName: "list"))
    var gridB: String?

    @Option(help: "Documents retrieved per query.")
    var depth = 1000

    @OptionGroup var outputOptions: BenchOutputOptions
    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard ["postgres", "memory", "all"].contains(engine) else { throw ValidationError("--engine must be postgres, memory or all") }
        guard !rankings.isEmpty, rankings.isSubset(of: ["bm25", "ts_rank", "ts_rank_cd"]) else {
            throw ValidationError("--ranking takes bm25, ts_rank, ts_rank_cd")
        }
        guard (1...10_000).contains(depth) else { throw ValidationError("--depth must be 1 to 10,000") }
        guard (gridK1 == nil) == (gridB == nil) else { throw ValidationError("--grid-k1 and --grid-b go together") }
        _ = try variants()
    }

    var rankings: Set<String> {
        Set(ranking.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    func variants() throws -> [RelevanceBenchmark.Variant] {
        var variants: [RelevanceBenchmark.Variant] = []
        do {
            variants = try variant.map { try RelevanceBenchmark.Variant(parsing: $0) }
            if let gridK1, let gridB {
                for k1 in gridK1.split(separator: ",") {
                    for b in gridB.split(separator: ",") {
                        variants.append(try RelevanceBenchmark.Variant(parsing: "k1=\(k1),b=\(b)"))
                    }
                }
            }
        } catch let error as BenchmarkError {
            throw ValidationError(error.description)
        }
        guard variants.count <= 50 else { throw ValidationError("at most 50 variants a run") }
        return variants
    }

    func run() async throws {
        var options = RelevanceBenchmark.Options(dataset: dataset)
        options.split = split
        options.engines = engine == "all" ? RelevanceBenchmark.EngineChoice.allCases : [RelevanceBenchmark.EngineChoice(rawValue: engine) ?? .postgres]
        options.rankings = rankings
        options.variants = try variants()
        options.depth = depth
        options.keepSchema = outputOptions.keepSchema
        let needsPostgres = options.engines.contains(.postgres) || !rankings.intersection(["ts_rank", "ts_rank_cd"]).isEmpty
        let benchmark = RelevanceBenchmark(
            options: options, configuration: needsPostgres ? try await database.configuration() : nil,
            migrations: try database.migrationList())
        let outcome: RelevanceBenchmark.Outcome
        do {
            outcome = try await benchmark.run { printError($0) }
        } catch let error as BenchmarkError {
            throw ValidationError(error.description)
        } catch let error as BEIRDatasetError {
            throw ValidationError(error.description)
        }

        var builder = RelevanceReport.Builder(
            dataset: outcome.datasetName, split: outcome.split, documents: outcome.documents, depth: depth,
            command: reproduceCommand(), machine: outcome.machine)
        for system in outcome.systems {
            try builder.add(
                name: system.name, engine: RelevanceReport.System.Engine(rawValue: system.engine) ?? .postgres,
                ranking: system.ranking, match: system.match, parameters: system.parameters,
                evaluation: system.evaluation, medianMS: system.medianMilliseconds)
        }
        // Everything is compared with what an application gets from PostgreSQL alone.
        let baseline = outcome.systems.first { $0.engine == "plain-postgres" && $0.ranking == "ts_rank" }?.name ?? outcome.systems.first?.name
        let report = try builder.report(comparingAgainst: baseline, on: [.ndcg(10), .recall(100)])
        let markdown = report.markdown()
        print(markdown)
        let name = "relevance-\(outcome.datasetName)"
        var written = [try outputOptions.writeJSON(report, to: "\(name).json"), try outputOptions.write(markdown, to: "\(name).md"),
                       try outputOptions.write(try builder.perQueryTable().tsv(), to: "\(name)-per-query.tsv")]
        for system in outcome.systems {
            let slug = String(system.name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
            written.append(try outputOptions.write(system.run.trecFormat(tag: slug), to: "runs/\(outcome.datasetName)/\(slug).trec"))
        }
        printError("wrote " + written.joined(separator: ", "))
    }
}
