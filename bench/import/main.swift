// Import and reindex throughput: `loupe import`'s code (DocumentImporter) on the Debian descriptions
// (63,955 documents) and on the whole ~300k scale corpus, in bulk and incremental mode, beside the ceiling
// measured in the same run: `to_tsvector('english', title || ' ' || text)` alone over the same text, split
// over two connections (both cores). Then a reindex after a weight change, and small loads that show
// where the automatic mode switches.
//
//   swift run -c release --scratch-path .build-import BenchImport [--out bench/results] [--skip-scale] [--bulk-only | --reindex-only]
//
// --bulk-only measures the ceilings and the bulk imports only (a quick check while working on the bulk path).
// --reindex-only runs four reindex rounds, alternating two batches at once and one, into reindex-parallel.{json,md}.
// --packing-only loads the corpus in bulk, then rebuilds its packed postings six times, alternating lists read
// ahead on a second connection and read by the build itself, into packing-read-ahead.{json,md}.
// Every measurement starts from a freshly migrated schema `bench_import` (dropped at the end).
import BenchSupport
import DocumentSources
import Foundation
import PostgresClient
import PostgresSearch
import SearchCore

struct Measurement {
    let name: String
    let corpus: String
    let mode: String
    let documents: Int
    let megabytes: Double
    let seconds: Double
    var firstSearchable: Double?
    var note = ""
    /// Seconds per phase (bulk: loading, documents, statistics, vacuum), where known.
    var phases: [String: Double] = [:]
    /// The 1-minute load average when the measurement ended (the machine is shared).
    var load = BenchImport.loadAverage()

    var documentsPerSecond: Double { Double(documents) / seconds }
    var megabytesPerSecond: Double { megabytes / seconds }

    var json: [String: Any] {
        ["name": name, "corpus": corpus, "mode": mode, "documents": documents, "megabytes": megabytes, "seconds": seconds,
         "documents_per_second": documentsPerSecond, "megabytes_per_second": megabytesPerSecond,
         "first_searchable_seconds": firstSearchable as Any, "note": note, "phases": phases, "load_average": load]
    }
}

func seconds(_ duration: Duration) -> Double { duration / .seconds(1) }

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? .nan : sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// The machine line under every report.
func machineLine(_ machine: [String: String]) -> String {
    "Machine: \(machine["cpu"] ?? ""), \(machine["cores"] ?? "") cores, \(machine["memory"] ?? ""); \(machine["postgresql"] ?? "") "
        + "(\(machine["settings"] ?? "")), local cluster on a Unix socket; load average at the end \(machine["load"] ?? ""); "
        + "commit \(machine["commit"] ?? ""); \(machine["date"] ?? "")."
}

@main
struct BenchImport {
    static let schema = "bench_import"
    static let debian = "corpus/scale/debian-descriptions.jsonl.gz"
    static let scale = ["debian-descriptions", "gcide", "wordnet"].map { "corpus/scale/\($0).jsonl.gz" }

    static func main() async { await runBenchmark(run) }

    static func run() async throws {
        var output = "bench/results", skipScale = false, bulkOnly = false, reindexOnly = false, packingOnly = false
        var arguments = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = arguments.next() {
            switch argument {
            case "--out": output = arguments.next() ?? output
            case "--skip-scale": skipScale = true
            case "--bulk-only": bulkOnly = true
            case "--reindex-only": reindexOnly = true
            case "--packing-only": packingOnly = true
            default: throw BenchError("unknown option \(argument)")
            }
        }
        let server = try await PostgresConfiguration.resolve(url: nil)
        let serverFacts = try await Self.serverFacts(server)
        var results: [Measurement] = []
        func record(_ measurement: Measurement) {
            results.append(measurement)
            print(String(format: "%-44@ %8d docs %7.1f s %8.0f docs/s %6.2f MB/s", measurement.name as NSString,
                         measurement.documents, measurement.seconds, measurement.documentsPerSecond, measurement.megabytesPerSecond))
        }

        let corpora: [(name: String, files: [String])] = skipScale ? [("debian", [debian])] : [("debian", [debian]), ("scale", scale)]
        if packingOnly {
            let corpus = corpora.last ?? ("debian", [debian])
            try writePackingComparison(try await packingRounds(server, corpus), corpus: corpus.name, server: serverFacts, to: output)
            return
        }
        for corpus in reindexOnly ? [] : corpora {
            let (limit, vectors) = try await ceiling(corpus.name, corpus.files, server: server)
            record(limit)
            record(vectors)
            for mode in bulkOnly ? [ImportMode.bulk] : [.bulk, .incremental] {
                record(try await withFreshSchema(server) { pool in
                    let collection = try await createCollection(pool, "bench")
                    return try await load(pool, collection, corpus.files, mode: mode, name: "import \(corpus.name) (\(mode))", corpus: corpus.name)
                })
            }
        }

        if bulkOnly {
            try write(results, server: serverFacts, to: output)
            return
        }

        // Reindex after a weight change (title A->C, text B->A, then back), over the largest corpus loaded:
        // batches two at once (what `loupe reindex` does) and one at a time, alternating, in one schema.
        let reindexCorpus = corpora.last ?? ("debian", [debian])
        for measurement in try await reindexRounds(server, reindexCorpus, parallelism: reindexOnly ? [2, 1, 2, 1] : [2, 1]) {
            record(measurement)
        }
        if reindexOnly {
            try writeReindexComparison(results, server: serverFacts, to: output)
            return
        }

        // Where the automatic mode switches: 5,000 documents into an empty collection and into one that
        // already holds the Debian descriptions, each way.
        let small = try prefixFile(debian, lines: 5_000)
        defer { try? FileManager.default.removeItem(atPath: small) }
        for mode in [ImportMode.bulk, .incremental] {
            record(try await withFreshSchema(server) { pool in
                let collection = try await createCollection(pool, "bench")
                return try await load(pool, collection, [small], mode: mode, name: "5,000 into an empty collection (\(mode))", corpus: "debian 5k")
            })
        }
        let others = try prefixFile("corpus/scale/wordnet.jsonl.gz", lines: 5_000)
        defer { try? FileManager.default.removeItem(atPath: others) }
        for mode in [ImportMode.bulk, .incremental] {
            record(try await withFreshSchema(server) { pool in
                let collection = try await createCollection(pool, "bench")
                _ = try await load(pool, collection, [debian], mode: .bulk, name: "", corpus: "debian")
                return try await load(pool, collection, [others], mode: mode, name: "5,000 into 63,955 documents (\(mode))", corpus: "wordnet 5k")
            })
        }

        try write(results, server: serverFacts, to: output)
    }

    /// Loads the corpus in bulk, then per round flips the field weights (title A<->C, text B<->A) and reindexes
    /// with that many batches at once.
    static func reindexRounds(
        _ server: PostgresConfiguration, _ corpus: (name: String, files: [String]), parallelism: [Int]
    ) async throws -> [Measurement] {
        try await withFreshSchema(server) { pool in
            var collection = try await createCollection(pool, "bench")
            _ = try await load(pool, collection, corpus.files, mode: .bulk, name: "", corpus: corpus.name)
            let text = try await textMegabytes(pool)
            var measurements: [Measurement] = []
            for (round, width) in parallelism.enumerated() {
                var changed = collection.definition
                changed.fields = round % 2 == 0
                    ? [try SearchableField(name: "title", weight: .c), try SearchableField(name: "text", weight: .a)]
                    : [try SearchableField(name: "title", weight: .a), try SearchableField(name: "text", weight: .b)]
                collection = try await CollectionStore(pool: pool).update(collection, to: changed)
                let reindexer = CollectionReindexer(pool: pool, collection: collection)
                let summary = try await reindexer.run(ReindexOptions(batchSize: 1_000, parallelism: width))
                var measurement = Measurement(
                    name: "reindex \(corpus.name) after a weight change (\(width == 1 ? "one batch" : "\(width) batches") at once)",
                    corpus: corpus.name, mode: "reindex \(width)", documents: summary.documents, megabytes: text,
                    seconds: seconds(summary.elapsed))
                let packing = summary.packing.map { seconds($0.duration) } ?? 0
                measurement.phases = [
                    "rewriting": seconds(summary.rewriting), "impacts": seconds(summary.impactRefresh), "packing": packing,
                ]
                measurement.note = "round \(round + 1); \(summary.rewritten) rewritten, batches of 1,000, "
                    + "\(summary.pendingPagesCleaned) GIN pending pages cleaned; "
                    + String(format: "batches %.1f s, then impacts (ImpactRefresh) %.1f s, packing %.1f s",
                             seconds(summary.rewriting), seconds(summary.impactRefresh), packing)
                measurement.note += "; stale after: \(try await reindexer.staleVectors().stale)"
                measurements.append(measurement)
            }
            return measurements
        }
    }

    /// `--reindex-only`: reindex rounds alternating two batches at once and one at a time, medians and ratio.
    static func writeReindexComparison(_ results: [Measurement], server: [String: String], to output: String) throws {
        var machine = machineFacts()
        machine.merge(server) { _, new in new }
        let command = "swift run -c release --scratch-path .build-import BenchImport --reindex-only"
            + (results.first?.corpus == "debian" ? " --skip-scale" : "")
        let report: [String: Any] = ["command": command, "machine": machine, "measurements": results.map(\.json)]
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: "\(output)/reindex-parallel.json"))
        var rounds = "| round | batches at once | documents | seconds | documents/s | load | notes |\n|---|---|---|---|---|---|---|\n"
        for m in results {
            rounds += "| \(m.name) | \(m.mode.dropFirst("reindex ".count)) | \(m.documents) | \(String(format: "%.1f", m.seconds)) | "
                + "\(String(format: "%.0f", m.documentsPerSecond)) | \(String(format: "%.1f", m.load)) | \(m.note) |\n"
        }
        let serial = median(results.filter { $0.mode == "reindex 1" }.map(\.seconds))
        let parallel = median(results.filter { $0.mode == "reindex 2" }.map(\.seconds))
        let documents = results.first?.documents ?? 0
        let markdown = """
            # Reindex: two batches at once against one at a time

            Command: `\(command)` (release build), on the dev cluster, in one freshly migrated schema: the
            \(results.first?.corpus ?? "") corpus (\(documents) documents) loaded in bulk (fields `title` A, `text` B), then rounds that each flip the weights (title A<->C,
            text B<->A) through `CollectionStore.update` and run `CollectionReindexer` (what `loupe reindex` runs)
            with batches of 1,000, alternating two batches at once (the default, `--parallel 2`) and one at a time
            (`--parallel 1`). Every round rewrites every document; time includes the GIN pending-list cleaning, the
            reference-length move and impact refresh (`ImpactRefresh`) and the packing at the end.

            | batches at once | median seconds | documents/s | speed-up |
            |---|---|---|---|
            | 1 | \(String(format: "%.1f", serial)) | \(String(format: "%.0f", Double(documents) / serial)) | 1.00x |
            | 2 | \(String(format: "%.1f", parallel)) | \(String(format: "%.0f", Double(documents) / parallel)) | \(String(format: "%.2fx", serial / parallel)) |

            \(rounds)
            \(machineLine(machine))

            """
        try markdown.write(toFile: "\(output)/reindex-parallel.md", atomically: true, encoding: .utf8)
        print(markdown)
    }

    /// Loads the corpus in bulk, then rebuilds its packed postings, alternating a build that reads its lists
    /// ahead on a second connection (the default) and one that reads them itself, three times each.
    static func packingRounds(_ server: PostgresConfiguration, _ corpus: (name: String, files: [String])) async throws -> [Measurement] {
        try await withFreshSchema(server) { pool in
            let collection = try await createCollection(pool, "bench")
            _ = try await load(pool, collection, corpus.files, mode: .bulk, name: "", corpus: corpus.name)
            var measurements: [Measurement] = []
            for (round, readAhead) in [4, 0, 4, 0, 4, 0].enumerated() {
                var options = PostingsPacker.Options()
                options.readAhead = readAhead
                guard let summary = try await PostingsPacker(pool: pool, options: options).pack(collection: collection.id) else {
                    throw BenchError("the packing lock was taken")
                }
                var measurement = Measurement(
                    name: "round \(round + 1)", corpus: corpus.name, mode: summary.readAhead ? "read ahead" : "read by the build",
                    documents: summary.postings, megabytes: 0, seconds: seconds(summary.duration))
                measurement.note = "\(summary.lexemes) lexemes, \(summary.postings) postings"
                measurements.append(measurement)
                print("\(measurement.name) \(measurement.mode): \(String(format: "%.2f", measurement.seconds)) s")
            }
            return measurements
        }
    }

    /// `--packing-only`: the two ways of reading lists, medians and ratio.
    static func writePackingComparison(_ results: [Measurement], corpus: String, server: [String: String], to output: String) throws {
        var machine = machineFacts()
        machine.merge(server) { _, new in new }
        let command = "swift run -c release --scratch-path .build-import BenchImport --packing-only" + (corpus == "debian" ? " --skip-scale" : "")
        let report: [String: Any] = ["command": command, "machine": machine, "measurements": results.map(\.json)]
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: "\(output)/packing-read-ahead.json"))
        let ahead = median(results.filter { $0.mode == "read ahead" }.map(\.seconds))
        let itself = median(results.filter { $0.mode == "read by the build" }.map(\.seconds))
        var rounds = "| round | lists | seconds | load | notes |\n|---|---|---|---|---|\n"
        for m in results {
            rounds += "| \(m.name) | \(m.mode) | \(String(format: "%.2f", m.seconds)) | \(String(format: "%.1f", m.load)) | \(m.note) |\n"
        }
        let markdown = """
            # Packing postings: lists read ahead on a second connection against read by the build

            Command: `\(command)` (release build), on the dev cluster, in one freshly migrated schema: the \(corpus)
            corpus loaded in bulk (fields `title` A, `text` B), then `PostingsPacker.pack` six times, alternating
            `readAhead = 4` (a second connection shares the build's snapshot and reads the next lists while the
            build numbers the documents, packs and writes) and `readAhead = 0` (the build reads each batch's lists
            itself, between packing and writing). Each build replaces every pack.

            | lists | median seconds | speed-up |
            |---|---|---|
            | read by the build | \(String(format: "%.2f", itself)) | 1.00x |
            | read ahead | \(String(format: "%.2f", ahead)) | \(String(format: "%.2fx", itself / ahead)) |

            \(rounds)
            \(machineLine(machine))

            """
        try markdown.write(toFile: "\(output)/packing-read-ahead.md", atomically: true, encoding: .utf8)
        print(markdown)
    }

    /// `to_tsvector('english', title || ' ' || text)` over the corpus text, on two connections at once; then,
    /// on the same rows, the vectors a document gets (`analysed_document`: per field the search vector and the
    /// stop words, three parses where the ceiling has one), the least any import must compute.
    static func ceiling(_ name: String, _ files: [String], server: PostgresConfiguration) async throws -> (Measurement, Measurement) {
        try await withFreshSchema(server) { pool in
            let collection = try await createCollection(pool, "ceiling")
            try await pool.query("CREATE UNLOGGED TABLE bench_text (n BIGINT, title TEXT, body TEXT)")
            var documents = 0
            try await pool.withConnection { connection in
                _ = try await connection.copyIn("COPY bench_text (n, title, body) FROM STDIN") { writer in
                    for file in files {
                        let reader = try RecordReaders.open(file)
                        while let record = try reader.next() {
                            guard case .document(let document) = record.content else { continue }
                            try await writer.writeRow([String(documents), document.body["title"]?.textValue ?? "", document.body["text"]?.textValue ?? ""])
                            documents += 1
                        }
                    }
                }
            }
            try await pool.query("VACUUM ANALYZE bench_text")
            let megabytes = try await pool.query("SELECT (sum(octet_length(title) + octet_length(body)) / 1e6)::float8 AS mb FROM bench_text")
                .single().decode(Double.self, column: "mb")
            // Warm the cache, then time both halves at once.
            try await pool.query("SELECT count(*) FROM bench_text")
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for half in 0..<2 {
                    group.addTask {
                        try await pool.query("""
                            SELECT sum(length(to_tsvector('english', title || ' ' || body))) FROM bench_text WHERE n % 2 = \(half)
                            """)
                    }
                }
                try await group.waitForAll()
            }
            let ceiling = Measurement(
                name: "ceiling \(name): to_tsvector alone, 2 cores", corpus: name, mode: "ceiling", documents: documents,
                megabytes: megabytes, seconds: seconds(.now - start))
            let vectorsStart = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for half in 0..<2 {
                    group.addTask {
                        try await pool.query("""
                            SELECT sum(length(v.search_vector) + length(v.stop_vector)) FROM bench_text t
                            CROSS JOIN collection_analysis(\(collection.id)) AS a
                            CROSS JOIN LATERAL analysed_document(a.config, a.without_stop_words, a.field_names, a.field_weights,
                                                                 jsonb_build_object('title', t.title, 'text', t.body)) AS v
                            WHERE t.n % 2 = \(half)
                            """)
                    }
                }
                try await group.waitForAll()
            }
            let vectors = Measurement(
                name: "vectors \(name): search + stop vectors, 2 cores", corpus: name, mode: "reference", documents: documents,
                megabytes: megabytes, seconds: seconds(.now - vectorsStart))
            return (ceiling, vectors)
        }
    }

    static func load(
        _ pool: PostgresConnectionPool, _ collection: StoredCollection, _ files: [String], mode: ImportMode, name: String, corpus: String
    ) async throws -> Measurement {
        let summary = try await DocumentImporter(pool: pool, collection: collection)
            .run(ImportOptions(inputs: files, mode: mode, batchSize: 2_000, writers: 2))
        guard summary.completed, summary.problems == 0 else { throw BenchError("\(name): \(summary.problems) bad records") }
        var measurement = Measurement(
            name: name, corpus: corpus, mode: mode.rawValue, documents: summary.records,
            megabytes: Double(summary.bytesDecoded) / 1e6, seconds: seconds(summary.elapsed),
            firstSearchable: summary.firstSearchableAfter.map(seconds))
        var note = ""
        if let publishing = summary.publishingTime, let steps = summary.publicationSteps {
            let loading = seconds(summary.elapsed - publishing - (summary.vacuumTime ?? .zero) - (summary.packing?.duration ?? .zero))
            measurement.phases = [
                "loading": loading, "documents": seconds(steps.documents), "waiting": seconds(steps.waitingForPostings),
                "statistics": seconds(steps.statistics), "publication": seconds(publishing),
            ]
            note += String(
                format: "loading %.1f s, publication %.1f s (documents %.1f s, then waiting %.1f s for postings prepared meanwhile, "
                    + "statistics and impacts %.1f s %@); ", loading, seconds(publishing), seconds(steps.documents),
                seconds(steps.waitingForPostings), seconds(steps.statistics),
                (steps.preparedPostings ? "from the prepared postings" : "rebuilt from documents") as NSString)
        }
        if let vacuum = summary.vacuumTime {
            measurement.phases["vacuum"] = seconds(vacuum)
            note += String(format: "VACUUM ANALYZE %.1f s; ", seconds(vacuum))
        }
        if let packing = summary.packing {
            measurement.phases["packing"] = seconds(packing.duration)
            note += String(format: "packing %d lexemes %.1f s; ", packing.lexemes, seconds(packing.duration))
        }
        measurement.note = note + "peak RSS of the process so far \(peakResidentMegabytes()) MB"
        return measurement
    }

    static func createCollection(_ pool: PostgresConnectionPool, _ name: String) async throws -> StoredCollection {
        try await CollectionStore(pool: pool).create(try CollectionDefinition(
            name: CollectionName(name), fields: [SearchableField(name: "title", weight: .a), SearchableField(name: "text", weight: .b)]))
    }

    static func textMegabytes(_ pool: PostgresConnectionPool) async throws -> Double {
        try await pool.query("""
            SELECT (sum(octet_length(coalesce(document->>'title', '')) + octet_length(coalesce(document->>'text', ''))) / 1e6)::float8 AS mb
            FROM documents
            """).single().decode(Double.self, column: "mb")
    }

    static func withFreshSchema<T>(
        _ server: PostgresConfiguration, isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnectionPool) async throws -> T
    ) async throws -> T {
        let admin = try await PostgresConnection.connect(server)
        try await admin.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(schema) CASCADE"))
        try await admin.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"))
        try await admin.query("CHECKPOINT")
        var configuration = server
        configuration.searchPath = [schema]
        let pool = PostgresConnectionPool(configuration: configuration, options: .init(maximumConnections: 4))
        try await Migrator(pool: pool, migrations: try MigrationSource.load(from: MigrationSource.defaultDirectory())).up()
        do {
            let value = try await body(pool)
            await pool.shutdown()
            try await admin.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"))
            return value
        } catch {
            await pool.shutdown()
            _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"))
            throw error
        }
    }

    /// The first `lines` lines of a (gzip) file, as a plain temporary file, read as a stream.
    static func prefixFile(_ path: String, lines: Int) throws -> String {
        let reader = LineReader(source: try ByteSource(path: path))
        var bytes: [UInt8] = []
        while reader.lineNumber < lines, let line = try reader.next() {
            if case .text(let text) = line { bytes += text + [0x0A] }
        }
        let out = NSTemporaryDirectory() + "bench-import-\(UUID().uuidString).jsonl"
        try Data(bytes).write(to: URL(fileURLWithPath: out))
        return out
    }

    /// The 1-minute load average, from /proc/loadavg (0 where there is none).
    static func loadAverage() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return 0 }
        return text.split(separator: " ").first.flatMap { Double($0) } ?? 0
    }

    static func peakResidentMegabytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss / 1024)
    }

    /// PostgreSQL's version and the settings that move write timings (memory, WAL, durability, collation).
    static func serverFacts(_ server: PostgresConfiguration) async throws -> [String: String] {
        let connection = try await PostgresConnection.connect(server)
        var facts: [String: String] = [:]
        let version = try await connection.query("SELECT version() AS v").single().decode(String.self, column: "v")
        facts["postgresql"] = String(version.prefix { $0 != "," })
        let settings = ["shared_buffers", "work_mem", "maintenance_work_mem", "max_wal_size", "fsync", "synchronous_commit", "lc_collate"]
        for setting in settings {
            facts[setting] = try await connection.query("SELECT current_setting(\(setting)) AS v").single().decode(String.self, column: "v")
        }
        facts["settings"] = settings.map { "\($0) \(facts[$0] ?? "?")" }.joined(separator: ", ")
        return facts
    }

    static func write(_ results: [Measurement], server: [String: String], to output: String) throws {
        var machine = machineFacts()
        machine.merge(server) { _, new in new }
        let command = "swift run -c release --scratch-path .build-import BenchImport"
        let report: [String: Any] = ["command": command, "machine": machine, "measurements": results.map(\.json)]
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: "\(output)/import-throughput.json"))
        var table = "| run | documents | seconds | documents/s | MB/s | first searchable (s) | of ceiling | load | notes |\n"
            + "|---|---|---|---|---|---|---|---|---|\n"
        for m in results {
            let ceiling = results.first { $0.mode == "ceiling" && $0.corpus == m.corpus }
            let ratio = ceiling.map { String(format: "%.0f%%", 100 * m.documentsPerSecond / $0.documentsPerSecond) } ?? "-"
            table += "| \(m.name) | \(m.documents) | \(String(format: "%.1f", m.seconds)) | \(String(format: "%.0f", m.documentsPerSecond)) | "
                + "\(String(format: "%.2f", m.megabytesPerSecond)) | \(m.firstSearchable.map { String(format: "%.1f", $0) } ?? "-") | "
                + "\(m.mode == "ceiling" ? "100%" : ratio) | \(String(format: "%.1f", m.load)) | \(m.note) |\n"
        }
        // Each bulk import's phases, in seconds and in multiples of its corpus's ceiling time.
        var phases = "| bulk import | loading (read, stage, vectors) | documents | waiting for prepared postings | statistics and impacts | VACUUM ANALYZE | packing | total |\n"
            + "|---|---|---|---|---|---|---|---|\n"
        for m in results where m.mode == "bulk" && m.phases["publication"] != nil {
            guard let ceiling = results.first(where: { $0.mode == "ceiling" && $0.corpus == m.corpus }) else { continue }
            func cell(_ key: String) -> String {
                guard let value = m.phases[key] else { return "-" }
                return String(format: "%.1f s (%.1fx)", value, value / ceiling.seconds)
            }
            phases += "| \(m.name) | \(cell("loading")) | \(cell("documents")) | \(cell("waiting")) | \(cell("statistics")) | \(cell("vacuum")) | \(cell("packing")) | "
                + String(format: "%.1f s (%.1fx) |\n", m.seconds, m.seconds / ceiling.seconds)
        }
        let markdown = """
            # Import and reindex throughput

            Command: `\(command)` (release build), on the dev cluster, each run in a freshly migrated schema.
            Imports run `DocumentImporter` (what `loupe import` runs) with batches of 2,000 and 2 writer connections,
            fields `title` (A) and `text` (B). MB/s counts the decompressed JSON read. The ceiling is
            `to_tsvector('english', title || ' ' || text)` alone over the same text, split over two connections
            (both cores), in the same run; "of ceiling" compares documents/s with it. First searchable: when the
            first imported documents became visible to search (bulk: at the publication, the end). Peak RSS is the
            benchmark process's high-water mark so far (it reads every corpus once for the ceiling too). "vectors" is
            what every import computes per document, on the same rows and two connections: per field the search
            vector and the stop words (`analysed_document`), three parses of the text where the ceiling has one.
            Load is the machine's 1-minute load average as the row finished (the machine is shared; two cores).
            The reindex rows rewrite every document of one collection after a weight change, with `loupe reindex`'s
            two batches at once and then with one at a time (`--parallel 1`), in the same schema.

            \(table)
            Where a bulk import's time goes (seconds, and multiples of the ceiling's time for the same corpus):
            loading reads the files and stages the rows with their vectors on two connections; the publication is one
            transaction on one connection: moving the rows into `documents` (heap, two btrees, three GIN indexes),
            while a second connection prepares the postings from the staged rows (collection empty before the import),
            then writing statistics, document frequencies and the impact postings (one row per document and lexeme,
            two btrees; rebuilt from `documents` when the collection held documents); then VACUUM ANALYZE on two connections
            (the planner's statistics, and the visibility map index-only scans need); then the build of the packed
            postings (`PostingsPacker`, one connection), which searches do not wait for, and VACUUM of the document
            numbers it wrote (counted in VACUUM ANALYZE).

            \(phases)
            \(machineLine(machine))

            """
        try markdown.write(toFile: "\(output)/import-throughput.md", atomically: true, encoding: .utf8)
        print(markdown)
    }
}
