@testable import Benchmarks
import Foundation
import LoupeTestSupport
import PostgresSearch
import Relevance
import Testing

/// The harness on a BEIR collection laid out unlike SciFact: numeric ids, no `qrels/` folder, an uncompressed
/// corpus with extra metadata, CRLF line ends, documents without a title.
@Suite struct RelevanceHarnessTests {
    static func writeCollection(to directory: URL) throws {
        let documents: [(Int, String, String)] = [
            (101, "Solar panels", "Photovoltaic solar panels convert sunlight into electricity for homes."),
            (102, "", "Wind turbines turn the kinetic energy of wind into electrical power."),
            (103, "Bread baking", "Sourdough bread rises with wild yeast and lactic acid bacteria."),
            (104, "Tidal power", "Tidal barrages produce electricity from the rise and fall of the sea."),
            (105, "Pasta", "Fresh pasta needs flour, eggs and patience; dry pasta keeps for months."),
            (106, "Solar water heating", "Solar thermal collectors heat water using sunlight, not electricity."),
        ]
        var corpus = ""
        for (id, title, text) in documents {
            corpus += #"{"_id": \#(id), "title": "\#(title)", "text": "\#(text)", "metadata": {"source": "fixture"}}"# + "\r\n"
        }
        try corpus.write(to: directory.appendingPathComponent("corpus.jsonl"), atomically: true, encoding: .utf8)
        let queries = """
            {"_id": 1, "text": "solar electricity", "metadata": {}}\r
            {"_id": 2, "text": "how is bread made with yeast"}\r
            {"_id": 3, "text": "electricity from the sea"}\r

            """
        try queries.write(to: directory.appendingPathComponent("queries.jsonl"), atomically: true, encoding: .utf8)
        let qrels = "query-id\tcorpus-id\tscore\n1\t101\t2\n1\t106\t1\n2\t103\t1\n3\t104\t1\n"
        try qrels.write(to: directory.appendingPathComponent("qrels.tsv"), atomically: true, encoding: .utf8)
    }

    @Test func runsAnUnseenBEIRCollectionOnEveryEngineAndBaseline() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-beir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Self.writeCollection(to: directory)

        var options = RelevanceBenchmark.Options(dataset: directory.path)
        options.split = "test"
        options.depth = 5
        options.variants = [try RelevanceBenchmark.Variant(parsing: "k1=1.2,b=0.75,title=2")]
        let benchmark = RelevanceBenchmark(
            options: options, configuration: try await TestDatabase.serverConfiguration(),
            migrations: try MigrationSource.load(from: MigrationSource.defaultDirectory()))
        let outcome = try await benchmark.run { _ in }

        #expect(outcome.documents == 6)
        #expect(outcome.judgedQueries == 3)
        #expect(outcome.systems.map(\.name) == [
            "Plain PostgreSQL ORDER BY ts_rank (OR query)", "Plain PostgreSQL ORDER BY ts_rank_cd (OR query)",
            "Loupe BM25 (postgres)", "Loupe BM25 k1=1.2 b=0.75 title=2 (postgres)",
            "Loupe BM25 (memory)", "Loupe BM25 k1=1.2 b=0.75 title=2 (memory)",
        ])
        let byName = Dictionary(uniqueKeysWithValues: outcome.systems.map { ($0.name, $0) })
        let postgres = try #require(byName["Loupe BM25 (postgres)"])
        let memory = try #require(byName["Loupe BM25 (memory)"])
        // Ids come back as the corpus wrote them, whatever their JSON type.
        #expect(postgres.run.ranking(for: "2").first?.documentID == "103")
        #expect(postgres.run.ranking(for: "3").first?.documentID == "104")
        // The two engines rank alike, so they score alike.
        #expect(postgres.run.ranking(for: "1").map(\.documentID) == memory.run.ranking(for: "1").map(\.documentID))
        #expect(abs((postgres.evaluation.mean[.ndcg(10)] ?? 0) - (memory.evaluation.mean[.ndcg(10)] ?? -1)) < 1e-12)
        #expect((postgres.evaluation.mean[.ndcg(10)] ?? 0) > 0.9)
        #expect(postgres.failures == 0)
        // The variant's settings reach the collection: the title weight changes scores.
        let variant = try #require(byName["Loupe BM25 k1=1.2 b=0.75 title=2 (postgres)"])
        #expect(variant.parameters["title_weight"] == "2")
        #expect(variant.run.ranking(for: "1").first?.score != postgres.run.ranking(for: "1").first?.score)
    }

    @Test func missingPiecesAreNamed() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-beir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let benchmark = RelevanceBenchmark(options: .init(dataset: directory.path), configuration: nil, migrations: [])
        await #expect(throws: BEIRDatasetError.self) { try await benchmark.run { _ in } }
    }

    @Test func variantsParseAndRefuseNonsense() throws {
        let variant = try RelevanceBenchmark.Variant(parsing: "k1=1.5, b=0.3")
        #expect(variant.k1 == 1.5 && variant.b == 0.3 && variant.titleWeight == 1)
        #expect(throws: BenchmarkError.self) { try RelevanceBenchmark.Variant(parsing: "k1=fast") }
        #expect(throws: BenchmarkError.self) { try RelevanceBenchmark.Variant(parsing: "gamma=2") }
        #expect(throws: BenchmarkError.self) { try RelevanceBenchmark.Variant(parsing: "b=7") }
    }
}
