import DocumentSources
import Foundation
import InvertedIndex
public import PostgresClient
public import PostgresSearch
public import Relevance
public import SearchCore

/// `loupe bench relevance`: loads a BEIR collection into fresh collections, runs every judged query through
/// the real query services and through plain PostgreSQL ranking, and scores each run with trec_eval's metrics.
public struct RelevanceBenchmark: Sendable {
    public enum EngineChoice: String, Sendable, CaseIterable {
        case postgres, memory
    }

    /// A BM25 setting under evaluation beside the collection's defaults.
    public struct Variant: Sendable, Hashable {
        public var k1: Double
        public var b: Double
        /// Weight of class A (the title) relative to class B (the text, weight 1).
        public var titleWeight: Double

        public init(k1: Double = Bm25Parameters.default.k1, b: Double = Bm25Parameters.default.b, titleWeight: Double = 1) {
            self.k1 = k1
            self.b = b
            self.titleWeight = titleWeight
        }

        /// Parses `k1=1.2,b=0.75,title=2` (any subset; the rest default).
        public init(parsing text: String) throws {
            self.init()
            for part in text.split(separator: ",") {
                let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2, let value = Double(pair[1]), value.isFinite else {
                    throw BenchmarkError("variant part '\(part)' is not name=number")
                }
                switch pair[0] {
                case "k1": k1 = value
                case "b": b = value
                case "title": titleWeight = value
                default: throw BenchmarkError("unknown variant setting '\(pair[0])' (k1, b, title)")
                }
            }
            _ = try definition(name: "check")
        }

        public var label: String {
            "k1=\(Self.format(k1)) b=\(Self.format(b))" + (titleWeight == 1 ? "" : " title=\(Self.format(titleWeight))")
        }

        var parameters: [String: String] {
            ["k1": Self.format(k1), "b": Self.format(b), "title_weight": Self.format(titleWeight)]
        }

        func definition(name: String) throws -> CollectionDefinition {
            do {
                return try CollectionDefinition(
                    name: CollectionName(name),
                    fields: [SearchableField(name: "title", weight: .a), SearchableField(name: "text", weight: .b)],
                    bm25: Bm25Parameters(k1: k1, b: b),
                    classWeights: ClassWeights(a: titleWeight, b: 1, c: 1, d: 1))
            } catch {
                throw BenchmarkError("variant \(label): \(error)")
            }
        }

        static func format(_ value: Double) -> String {
            String(format: "%g", value)
        }
    }

    public struct Options: Sendable {
        public var dataset: String
        public var split = "test"
        public var engines: [EngineChoice] = EngineChoice.allCases
        /// bm25, ts_rank, ts_rank_cd: which rankings to run.
        public var rankings: Set<String> = ["bm25", "ts_rank", "ts_rank_cd"]
        public var variants: [Variant] = []
        /// Documents retrieved per query (MAP@1000 and Recall@1000 need 1000).
        public var depth = 1000
        public var keepSchema = false

        public init(dataset: String) {
            self.dataset = dataset
        }
    }

    /// One system's run over the judged queries.
    public struct SystemRun: Sendable {
        public var name: String
        public var engine: String
        public var ranking: String
        public var match: String
        public var parameters: [String: String]
        public var run: Run
        public var evaluation: Evaluation
        public var medianMilliseconds: Double?
        public var failures: Int
    }

    public struct Outcome: Sendable {
        public var datasetName: String
        public var split: String
        public var documents: Int
        public var judgedQueries: Int
        public var systems: [SystemRun]
        public var machine: [String: String]
    }

    public let options: Options
    public let configuration: PostgresConfiguration?
    public let migrations: [Migration]

    /// `configuration` may be nil when only the memory engine runs.
    public init(options: Options, configuration: PostgresConfiguration?, migrations: [Migration]) {
        self.options = options
        self.configuration = configuration
        self.migrations = migrations
    }

    public func run(note: @escaping @Sendable (String) -> Void) async throws -> Outcome {
        let dataset = try BEIRDataset(directory: options.dataset, split: options.split)
        let queries = try dataset.loadQueries()
        let qrels = try dataset.loadQrels()
        let judged = qrels.queryIDs.filter { queries.text(for: $0) != nil }
        guard !judged.isEmpty else { throw BenchmarkError("no judged query of \(dataset.name) has a text in queries.jsonl") }
        note("\(dataset.name): \(judged.count) judged queries (\(options.split))")
        var systems: [SystemRun] = []
        var documents = 0
        var postgresFacts: [String: String] = [:]

        let wantsPlain = !options.rankings.intersection(["ts_rank", "ts_rank_cd"]).isEmpty
        if options.engines.contains(.postgres) || wantsPlain {
            guard let configuration else { throw BenchmarkError("PostgreSQL is needed for the postgres engine and the plain baselines") }
            let schema = try await BenchmarkSchema.create(
                configuration: configuration, label: "relevance_\(dataset.name)", migrations: migrations, connections: 4)
            do {
                postgresFacts = try await schema.serverFacts()
                let store = CollectionStore(pool: schema.pool)
                func load(_ variant: Variant, as name: String) async throws -> StoredCollection {
                    let stored = try await store.create(try variant.definition(name: name))
                    let summary = try await DocumentImporter(pool: schema.pool, collection: stored).run(ImportOptions(inputs: [dataset.corpusFile.path]))
                    documents = summary.documentsWritten
                    try await schema.pool.query("ANALYZE documents, postings, term_statistics, collection_statistics")
                    return stored
                }
                note("loading the corpus into PostgreSQL")
                let base = try await load(Variant(), as: "bench")
                note("  \(documents) documents")
                let plain = PlainTextSearch(pool: schema.pool, collectionID: base.id)
                for rank in PlainTextSearch.RankFunction.allCases where options.rankings.contains(rank.rawValue) {
                    systems.append(try await measure(
                        name: "Plain PostgreSQL ORDER BY \(rank.rawValue) (OR query)", engine: "plain-postgres",
                        ranking: rank.rawValue, match: "any", parameters: [:], queries: queries, judged: judged, qrels: qrels, note: note
                    ) { text in
                        try await plain.search(text, form: .anyWord, rank: rank, limit: options.depth).map { Run.Entry(documentID: $0.id, score: $0.score) }
                    })
                }
                if options.engines.contains(.postgres) {
                    let engine = PostgresSearchEngine(pool: schema.pool, cursorAuthenticator: HMACCursorAuthenticator.random())
                    if options.rankings.contains("bm25") {
                        systems.append(try await measureEngine(engine, collection: "bench", variant: nil, queries: queries, judged: judged, qrels: qrels, note: note))
                    }
                    for (index, variant) in options.variants.enumerated() {
                        note("loading the corpus for variant \(variant.label)")
                        _ = try await load(variant, as: "variant-\(index)")
                        systems.append(try await measureEngine(engine, collection: "variant-\(index)", variant: variant, queries: queries, judged: judged, qrels: qrels, note: note))
                    }
                }
                if options.keepSchema {
                    await schema.keep()
                    note("kept schema \(schema.name)")
                } else {
                    try await schema.drop()
                }
            } catch {
                try? await schema.drop()
                throw error
            }
        }
        if options.engines.contains(.memory) {
            let engine = InMemorySearchEngine(cursorAuthenticator: HMACCursorAuthenticator.random())
            for (index, variant) in ([Variant()] + options.variants).enumerated() {
                let name = index == 0 ? "bench" : "variant-\(index - 1)"
                note("indexing the corpus in memory\(index == 0 ? "" : " for variant \(variant.label)")")
                _ = try await engine.createCollection(try variant.definition(name: name))
                var loader = EngineLoader(engine: engine)
                loader.batchSize = 5_000
                documents = try await loader.loadJSONLines(path: dataset.corpusFile.path, into: name).written
                if index == 0, !options.rankings.contains("bm25") { continue }
                systems.append(try await measureEngine(engine, collection: name, variant: index == 0 ? nil : variant, queries: queries, judged: judged, qrels: qrels, note: note))
            }
        }
        return Outcome(datasetName: dataset.name, split: options.split, documents: documents, judgedQueries: judged.count,
                       systems: systems, machine: MachineFacts.collect(postgres: postgresFacts))
    }

    /// Variants carry their settings in the name, even one equal to the defaults, so names stay unique.
    private func measureEngine(
        _ engine: any SearchEngine, collection: String, variant: Variant?, queries: QuerySet, judged: [String], qrels: Qrels,
        note: @escaping @Sendable (String) -> Void
    ) async throws -> SystemRun {
        let name = "Loupe BM25" + (variant.map { " \($0.label)" } ?? "") + " (\(engine.name))"
        let variant = variant ?? Variant()
        return try await measure(name: name, engine: engine.name, ranking: "bm25", match: "auto", parameters: variant.parameters,
                                 queries: queries, judged: judged, qrels: qrels, note: note) { text in
            try await Self.ranking(engine: engine, collection: collection, query: text, depth: options.depth)
        }
    }

    /// The top `depth` documents for `query`, page after page through the engine's cursors (a page holds at
    /// most 100 hits).
    static func ranking(engine: any SearchEngine, collection: String, query: String, depth: Int) async throws -> [Run.Entry] {
        var entries: [Run.Entry] = []
        var cursor: String?
        repeat {
            let page = try await engine.search(SearchRequest(
                collection: collection, query: query, limit: min(SearchRequest.limitRange.upperBound, depth - entries.count), cursor: cursor))
            entries += page.hits.map { Run.Entry(documentID: $0.id, score: $0.score) }
            cursor = page.nextCursor
        } while cursor != nil && entries.count < depth
        return entries
    }

    private func measure(
        name: String, engine: String, ranking: String, match: String, parameters: [String: String],
        queries: QuerySet, judged: [String], qrels: Qrels, note: @escaping @Sendable (String) -> Void,
        retrieve: (String) async throws -> [Run.Entry]
    ) async throws -> SystemRun {
        var run = Run()
        var latencies: [Double] = []
        var failures = 0
        for queryID in judged {
            guard let text = queries.text(for: queryID) else { continue }
            let start = ContinuousClock.now
            do {
                run.rankings[queryID] = try await retrieve(text)
                latencies.append((ContinuousClock.now - start) / .milliseconds(1))
            } catch SearchError.invalidRequest {
                // A query the service refuses (nothing searchable in it) retrieves nothing, as for a user.
                run.rankings[queryID] = []
                failures += 1
            }
        }
        let evaluation = Evaluator.evaluate(run, qrels: qrels, metrics: Metric.standard)
        note("  \(name): nDCG@10 \(String(format: "%.4f", evaluation.mean[.ndcg(10)] ?? 0))"
             + (failures > 0 ? ", \(failures) queries refused" : ""))
        return SystemRun(name: name, engine: engine, ranking: ranking, match: match, parameters: parameters, run: run,
                         evaluation: evaluation, medianMilliseconds: LatencySummary.median(latencies), failures: failures)
    }
}
