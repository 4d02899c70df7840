import DocumentSources
import Foundation
import InvertedIndex
public import PostgresClient
public import PostgresSearch
import SearchCore

/// `loupe bench speed`: loads a tier into PostgreSQL (and the in-memory engine), then times the real query
/// workload plus high-match queries on Loupe's engines and on plain `ORDER BY ts_rank` in the same run, query
/// by query, so every figure has its baseline beside it.
public struct SpeedBenchmark: Sendable {
    public enum EngineChoice: String, Sendable, CaseIterable {
        case postgres, memory
    }

    public struct Options: Sendable {
        public var tier: SpeedTier
        public var engines: [EngineChoice] = EngineChoice.allCases
        /// Timed rounds over the workload, after one warm-up round.
        public var rounds = 3
        public var clients = [1, 2, 4, 8]
        public var throughputSeconds = 5.0
        public var measureHTTP = true
        /// A tier estimated to take longer is refused with the estimate.
        public var timeBudgetMinutes = 60.0
        public var workloadPath = "corpus/scale/queries-aol.jsonl"
        public var cacheDirectory = ".loupe/bench"
        public var keepSchema = false
        public var command = ""

        public init(tier: SpeedTier) {
            self.tier = tier
        }
    }

    public let options: Options
    public let configuration: PostgresConfiguration
    public let migrations: [Migration]

    public init(options: Options, configuration: PostgresConfiguration, migrations: [Migration]) {
        self.options = options
        self.configuration = configuration
        self.migrations = migrations
    }

    /// Minutes the tier should take on this machine, from the rates measured here (bench/results): PostgreSQL
    /// bulk import about 3,000 documents/s, in-memory indexing about 20,000/s, synthetic generation about
    /// 50,000/s, and query time growing with the corpus.
    public static func estimatedMinutes(_ options: Options) -> Double {
        let documents = Double(options.tier.documentCount ?? TierCorpus.scaleDocuments)
        var seconds = documents / 3_000
        if options.engines.contains(.memory) { seconds += documents / 20_000 }
        if options.tier.isSynthetic { seconds += documents / 50_000 }
        // About 950 queries, ~5 ms each per system at 300k documents, growing with the corpus.
        let systems = Double(1 + options.engines.count * (options.measureHTTP ? 2 : 1))
        seconds += Double(options.rounds + 1) * 950 * systems * 0.005 * max(1, documents / 307_850)
        seconds += Double(options.clients.count * (1 + options.engines.count)) * options.throughputSeconds
        return seconds / 60
    }

    public func run(note: @escaping @Sendable (String) -> Void) async throws -> SpeedReport {
        let estimate = Self.estimatedMinutes(options)
        guard estimate <= options.timeBudgetMinutes else {
            throw BenchmarkError("""
                tier \(options.tier.rawValue) would take about \(Int(estimate.rounded())) minutes on this machine \
                (over the --time-budget of \(Int(options.timeBudgetMinutes)) minutes); pass --time-budget \
                \(Int(estimate.rounded(.up)) + 10) to run it anyway
                """)
        }
        note("tier \(options.tier.rawValue): estimated \(max(1, Int(estimate.rounded()))) minutes")
        let corpus = try TierCorpus.prepare(options.tier, cacheDirectory: options.cacheDirectory, note: note)
        let workload = try BenchmarkQuery.loadWorkload(options.workloadPath) + BenchmarkQuery.highMatch(commonWords: corpus.commonWords)

        let schema = try await BenchmarkSchema.create(
            configuration: configuration, label: "speed_\(options.tier.rawValue)", migrations: migrations, connections: 12)
        do {
            let report = try await measure(corpus: corpus, workload: workload, schema: schema, note: note)
            if options.keepSchema {
                await schema.keep()
                note("kept schema \(schema.name)")
            } else {
                try await schema.drop()
            }
            return report
        } catch {
            try? await schema.drop()
            throw error
        }
    }

    private func measure(
        corpus: TierCorpus, workload: [BenchmarkQuery], schema: BenchmarkSchema, note: @escaping @Sendable (String) -> Void
    ) async throws -> SpeedReport {
        let definition = try CollectionDefinition(
            name: CollectionName("bench"),
            fields: [SearchableField(name: "title", weight: .a), SearchableField(name: "text", weight: .b)])
        let inputBytes = corpus.files.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }

        // PostgreSQL: always loaded, since the plain baseline runs on the same table and GIN index.
        note("importing \(corpus.documents) documents into PostgreSQL")
        let stored = try await CollectionStore(pool: schema.pool).create(definition)
        let importSummary = try await DocumentImporter(pool: schema.pool, collection: stored).run(ImportOptions(inputs: corpus.files))
        try await schema.pool.query("VACUUM ANALYZE documents, postings, term_statistics, collection_statistics")
        let importSeconds = importSummary.elapsed / .seconds(1)
        let postgresImport = SpeedReport.Import(
            documentsPerSecond: Double(importSummary.documentsWritten) / importSeconds, seconds: importSeconds,
            megabytesPerSecond: Double(importSummary.bytesDecoded) / 1_048_576 / importSeconds)
        let diskBytes = try await schema.diskBytes()
        note("  \(importSummary.documentsWritten) documents in \(String(format: "%.1f", importSeconds)) s; \(diskBytes / 1_048_576) MB on disk")

        let plain = PlainTextSearch(pool: schema.pool, collectionID: stored.id)
        var systems: [MeasuredSystem] = [MeasuredSystem(name: "plain-postgres") { query in
            _ = try await plain.search(query.text, form: query.match == .any ? .anyWord : .websearch, limit: 10)
        }]
        var engines: [String: any SearchEngine] = [:]
        var reports: [String: SpeedReport.Engine] = [:]
        reports["plain-postgres"] = SpeedReport.Engine(engine: "plain-postgres", importMeasurement: nil, size: SpeedReport.Size(diskBytes: diskBytes),
                                                       latency: [:], throughput: [], errors: 0)
        if options.engines.contains(.postgres) {
            let engine = PostgresSearchEngine(pool: schema.pool, cursorAuthenticator: HMACCursorAuthenticator.random())
            engines["postgres"] = engine
            reports["postgres"] = SpeedReport.Engine(engine: "postgres", importMeasurement: postgresImport, size: SpeedReport.Size(diskBytes: diskBytes),
                                                     latency: [:], throughput: [], errors: 0)
        }
        if options.engines.contains(.memory) {
            note("indexing \(corpus.documents) documents in memory")
            let memory = InMemorySearchEngine(cursorAuthenticator: HMACCursorAuthenticator.random())
            _ = try await memory.createCollection(definition)
            let started = ContinuousClock.now
            var loader = EngineLoader(engine: memory)
            loader.batchSize = 10_000
            var written = 0
            for file in corpus.files {
                written += try await loader.loadJSONLines(path: file, into: "bench").written
            }
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            let footprint = try memory.footprint(of: "bench")
            let memoryBytes = footprint.postingBytes + footprint.positionBytes + footprint.blockBytes + footprint.dictionaryBytes
                + footprint.stopWordBytes + footprint.storedBytes
            engines["memory"] = memory
            reports["memory"] = SpeedReport.Engine(
                engine: "memory",
                importMeasurement: SpeedReport.Import(documentsPerSecond: Double(written) / seconds, seconds: seconds,
                                                      megabytesPerSecond: Double(inputBytes) / 1_048_576 / seconds),
                size: SpeedReport.Size(memoryBytes: memoryBytes), latency: [:], throughput: [], errors: 0)
            note("  \(written) documents in \(String(format: "%.1f", seconds)) s; \(memoryBytes / 1_048_576) MB in memory")
        }
        for name in ["postgres", "memory"] {
            guard let engine = engines[name] else { continue }
            systems.append(MeasuredSystem(name: name) { query in
                _ = try await engine.search(Self.request(query))
            })
        }

        note("counting matches of \(workload.count) queries")
        var matches: [Int] = []
        for query in workload {
            matches.append((try? await plain.matchCount(query.text, form: query.match == .any ? .anyWord : .websearch)) ?? 0)
        }

        note("timing \(workload.count) queries at the engine, \(options.rounds) rounds after a warm-up")
        let engineTimes = try await LatencyRounds(systems: systems, queries: workload, rounds: options.rounds).run()
        for system in systems {
            reports[system.name]?.latency["engine"] = Self.groups(engineTimes.medians[system.name] ?? [], workload: workload, matches: matches)
            reports[system.name]?.errors += engineTimes.errors[system.name] ?? 0
        }
        let plainMedians = engineTimes.medians["plain-postgres"] ?? []
        for name in engines.keys {
            reports[name]?.ratioToPlain = Self.ratios(plain: plainMedians, engine: engineTimes.medians[name] ?? [], workload: workload, matches: matches)
        }

        if options.measureHTTP {
            for (name, engine) in engines.sorted(by: { $0.key < $1.key }) {
                note("timing the same queries through the HTTP API (\(name))")
                let times = try await HTTPProbe.time(engine: engine, queries: workload, rounds: options.rounds, request: Self.request)
                reports[name]?.latency["http"] = Self.groups(times.medians, workload: workload, matches: matches)
                reports[name]?.errors += times.errors
            }
        }

        for system in systems {
            for clients in options.clients {
                let measured = await Throughput.measure(system: system, queries: workload, clients: clients, seconds: options.throughputSeconds)
                reports[system.name]?.throughput.append(measured)
                note("  \(system.name), \(clients) clients: \(Int(measured.queriesPerSecond)) queries/s")
            }
        }

        let timings = workload.indices.map { index in
            SpeedReport.QueryTiming(
                kind: workload[index].kind, query: workload[index].text, matches: matches[index],
                milliseconds: Dictionary(uniqueKeysWithValues: systems.compactMap { system in
                    engineTimes.medians[system.name].map { (system.name, $0[index]) }
                }.filter { $0.1.isFinite }))
        }
        var notes = [
            "Loupe: top-10 page with highlights on title and text, BM25; union and any-word high-match queries with match any, the rest with match all.",
            "Plain: websearch_to_tsquery (plainto_tsquery words OR-ed for any-word queries), ORDER BY ts_rank DESC LIMIT 10, on the same table and GIN index.",
            "Per query the median of the timed rounds; p50/p95/p99 over queries; ratio = median over queries of plain time / engine time.",
            "high-match: single words and pairs of the tier's most common words (\(corpus.commonWords.prefix(8).joined(separator: ", "))), not from the real workload.",
        ]
        if options.tier.isSynthetic {
            notes.append("Synthetic tier: documents drawn from the scale corpus's word and length distributions (seed 42).")
        }
        let facts = MachineFacts.collect(postgres: try await schema.serverFacts())
        return SpeedReport(
            tier: options.tier.rawValue, synthetic: options.tier.isSynthetic, documents: corpus.documents,
            command: options.command, machine: facts, rounds: options.rounds,
            engines: ["plain-postgres", "postgres", "memory"].compactMap { reports[$0] }, queries: timings, notes: notes)
    }

    static func request(_ query: BenchmarkQuery) -> SearchRequest {
        SearchRequest(collection: "bench", query: query.text, limit: 10, match: query.match,
                      highlight: HighlightRequest(fields: ["title", "text"]))
    }

    static let overFiftyThousand = "over-50k-matches"

    /// Latency per query type, plus `all` (the real workload only) and queries with over 50,000 matches.
    static func groups(_ medians: [Double], workload: [BenchmarkQuery], matches: [Int]) -> [String: LatencySummary] {
        var groups: [String: LatencySummary] = [:]
        for kind in BenchmarkQuery.workloadKinds + [BenchmarkQuery.highMatchKind] {
            groups[kind] = LatencySummary(workload.indices.filter { workload[$0].kind == kind }.map { medians[$0] }.filter(\.isFinite))
        }
        groups["all"] = LatencySummary(workload.indices.filter { workload[$0].kind != BenchmarkQuery.highMatchKind }.map { medians[$0] }.filter(\.isFinite))
        groups[overFiftyThousand] = LatencySummary(workload.indices.filter { matches[$0] > 50_000 }.map { medians[$0] }.filter(\.isFinite))
        return groups
    }

    static func ratios(plain: [Double], engine: [Double], workload: [BenchmarkQuery], matches: [Int]) -> [String: Double] {
        func ratio(_ indices: [Int]) -> Double? {
            LatencySummary.median(indices.compactMap { index in
                plain[index].isFinite && engine[index].isFinite ? plain[index] / max(engine[index], 0.001) : nil
            })
        }
        var ratios: [String: Double] = [:]
        for kind in BenchmarkQuery.workloadKinds + [BenchmarkQuery.highMatchKind] {
            ratios[kind] = ratio(workload.indices.filter { workload[$0].kind == kind })
        }
        ratios["all"] = ratio(workload.indices.filter { workload[$0].kind != BenchmarkQuery.highMatchKind })
        ratios[overFiftyThousand] = ratio(workload.indices.filter { matches[$0] > 50_000 })
        return ratios
    }
}
