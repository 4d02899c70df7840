// Relevance of Loupe's query service on a BEIR collection, beside plain PostgreSQL ranking in the same run.
//
//   swift run -c release BenchRelevance [--dataset corpus/scifact] [--split test] [--out bench/results]
//
// Loads the corpus into a fresh schema of the database (DATABASE_URL, else the local cluster), runs every
// judged query through PostgresSearchEngine with each ranking, and through a plain
// `ORDER BY ts_rank(search_vector, q) LIMIT 100` baseline; writes JSON and Markdown reports.
import BenchSupport
import Foundation
import PostgresClient
import PostgresSearch
import Relevance
import SearchCore

struct Options {
    var dataset = "corpus/scifact"
    var split = "test"
    var output = "bench/results"
    var depth = 100
    /// Keep the loaded schema afterwards, to inspect plans.
    var keep = false

    init(arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            if argument == "--keep" {
                keep = true
                continue
            }
            guard let value = iterator.next() else { throw BenchError("\(argument) needs a value") }
            switch argument {
            case "--dataset": dataset = value
            case "--split": split = value
            case "--out": output = value
            case "--depth": depth = Int(value) ?? depth
            default: throw BenchError("unknown option \(argument)")
            }
        }
    }
}

/// A ranking setup under evaluation.
struct System {
    let name: String
    let run: (String) async throws -> [(String, Double)]
}

@main
struct BenchRelevance {
    static func main() async throws {
        let options = try Options(arguments: CommandLine.arguments)
        let corpusPath = ["corpus.jsonl.gz", "corpus.jsonl"].map { "\(options.dataset)/\($0)" }
            .first { FileManager.default.fileExists(atPath: $0) }
        guard let corpusPath else { throw BenchError("no corpus.jsonl[.gz] in \(options.dataset)") }
        let qrelsPath = ["qrels/\(options.split).tsv", "qrels.tsv"].map { "\(options.dataset)/\($0)" }
            .first { FileManager.default.fileExists(atPath: $0) } ?? ""
        let qrels = try Qrels.parse(try String(contentsOfFile: qrelsPath, encoding: .utf8))
        let queries = try QuerySet.parseBEIR(jsonl: try String(contentsOfFile: "\(options.dataset)/queries.jsonl", encoding: .utf8))

        var configuration = try await PostgresConfiguration.resolve(url: nil)
        let schema = "bench_relevance_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try await PostgresConnection.connect(configuration)
        try await admin.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"))
        configuration.searchPath = [schema]
        let pool = PostgresConnectionPool(configuration: configuration, options: .init(maximumConnections: 4))
        try await Migrator(pool: pool, migrations: try MigrationSource.load(from: MigrationSource.defaultDirectory())).up()

        // Load the corpus.
        let store = CollectionStore(pool: pool)
        let collection = try await store.create(try CollectionDefinition(
            name: CollectionName("bench"),
            fields: [SearchableField(name: "title", weight: .a), SearchableField(name: "text", weight: .b)]))
        let loadStart = ContinuousClock.now
        var batch: [(id: String, json: String)] = []
        var loaded = 0
        for line in try readText(corpusPath).split(separator: "\n") where !line.isEmpty {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let id = object["_id"].map({ "\($0)" }) else { continue }
            batch.append((id, String(line)))
            if batch.count == 500 {
                loaded += try await store.upsert(batch, into: collection)
                batch.removeAll()
            }
        }
        loaded += try await store.upsert(batch, into: collection)
        try await pool.query("ANALYZE documents, postings, term_statistics, collection_statistics")
        let loadSeconds = (ContinuousClock.now - loadStart) / .seconds(1)
        print("loaded \(loaded) documents in \(String(format: "%.1f", loadSeconds)) s")

        let engine = PostgresSearchEngine(pool: pool, cursorAuthenticator: HMACCursorAuthenticator.random())
        func loupe(_ ranking: RankingFunction, _ match: MatchMode) -> (String) async throws -> [(String, Double)] {
            { text in
                let page = try await engine.search(SearchRequest(
                    collection: "bench", query: text, limit: options.depth, match: match, ranking: ranking))
                return page.hits.map { ($0.id, $0.score) }
            }
        }
        let systems = [
            System(name: "Loupe BM25 (match auto)", run: loupe(.bm25, .auto)),
            System(name: "Loupe BM25 (match any)", run: loupe(.bm25, .any)),
            System(name: "Loupe ts_rank (match any)", run: loupe(.tsRank, .any)),
            System(name: "Loupe ts_rank_cd (match any)", run: loupe(.tsRankCd, .any)),
            System(name: "Plain PostgreSQL ORDER BY ts_rank (OR query)", run: { text in
                let rows = try await pool.query("""
                    WITH q AS (SELECT replace(plainto_tsquery('english', \(text))::text, ' & ', ' | ')::tsquery AS q)
                    SELECT d.external_id, ts_rank(d.search_vector, q.q)::float8 AS score
                    FROM documents d, q WHERE d.collection_id = \(collection.id) AND d.deleted_at IS NULL
                      AND d.search_vector @@ q.q
                    ORDER BY score DESC, d.id LIMIT \(options.depth)
                    """)
                return try rows.map { (try $0.decode(String.self, column: "external_id"), try $0.decode(Double.self, column: "score")) }
            }),
        ]

        let metrics: [Metric] = [.ndcg(10), .recall(100), .averagePrecision(100), .reciprocalRank(10), .precision(10)]
        var results: [[String: Any]] = []
        var table = "| system | " + metrics.map(\.description).joined(separator: " | ") + " | median ms/query |\n"
        table += "|---|" + String(repeating: "---|", count: metrics.count + 1) + "\n"
        for system in systems {
            var run = Run()
            var latencies: [Double] = []
            var failures = 0
            for queryID in qrels.queryIDs {
                guard let text = queries.texts[queryID] else { continue }
                let start = ContinuousClock.now
                do {
                    run.rankings[queryID] = try await system.run(text).map { Run.Entry(documentID: $0.0, score: $0.1) }
                } catch {
                    failures += 1
                    print("  \(system.name): query \(queryID) failed: \(error)")
                }
                latencies.append((ContinuousClock.now - start) / .milliseconds(1))
            }
            let evaluation = Evaluator.evaluate(run, qrels: qrels, metrics: metrics)
            let row = metrics.map { String(format: "%.4f", evaluation.mean[$0] ?? 0) }
            let medianLatency = percentile(latencies, 0.5) ?? 0
            table += "| \(system.name) | " + row.joined(separator: " | ") + " | \(String(format: "%.1f", medianLatency)) |\n"
            print("\(system.name): " + zip(metrics, row).map { "\($0.description) \($1)" }.joined(separator: ", "))
            results.append([
                "system": system.name,
                "metrics": Dictionary(uniqueKeysWithValues: metrics.map { ($0.description, evaluation.mean[$0] ?? 0) }),
                "queries": evaluation.queryCount, "failures": failures,
                "median_latency_ms": medianLatency,
            ])
        }
        await pool.shutdown()
        if options.keep {
            print("kept schema \(schema)")
        } else {
            try await admin.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"))
        }

        var machine = machineFacts()
        machine["build"] = "swift build -c release"
        let datasetName = URL(fileURLWithPath: options.dataset).lastPathComponent
        let report: [String: Any] = [
            "dataset": datasetName, "split": options.split, "documents": loaded, "depth": options.depth,
            "command": "swift run -c release BenchRelevance --dataset \(options.dataset) --split \(options.split)",
            "machine": machine, "results": results,
        ]
        try FileManager.default.createDirectory(atPath: options.output, withIntermediateDirectories: true)
        let base = "\(options.output)/\(datasetName)-relevance"
        try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: base + ".json"))
        let markdown = """
            # Relevance on \(datasetName) (\(options.split) split, \(qrels.queryIDs.count) judged queries, \(loaded) documents)

            Command: `swift run -c release BenchRelevance --dataset \(options.dataset) --split \(options.split)`
            (every system in the same run, on the same database; ranking depth \(options.depth)).
            Collection: `title` weight A, `text` weight B, class weights 1/1/1/1 (flat), BM25 k1 = 0.9, b = 0.4,
            `english` configuration.

            \(table)
            Machine: \(machine["cpu"] ?? ""), \(machine["cores"] ?? "") cores, \(machine["memory"] ?? ""); \(machine["postgresql"] ?? ""); commit \(machine["commit"] ?? ""); \(machine["date"] ?? "").
            Latency is the median wall time per query through the Swift library (release build), recorded for orientation only; speed is measured by the scale benchmark.

            """
        try markdown.write(toFile: base + ".md", atomically: true, encoding: .utf8)
        print("wrote \(base).json and \(base).md")
    }
}
