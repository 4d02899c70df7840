// Query latency on the ~300k-document scale corpus with its real query workload: Loupe's query service
// (top-10 page with highlights) beside plain `ORDER BY ts_rank(search_vector, q) LIMIT 10`, same run,
// same database. A second, synthetic group of high-match queries (built from the corpus's most frequent
// lexemes, not from the workload) measures the case ranking has to prune hardest.
//
//   swift run -c release BenchScale [--out bench/results] [--reload] [--rounds 3] [--schema bench_scale]
//                                   [--compare-unprepared | --compare-pool-share N]
//
// The corpus is loaded once into schema `bench_scale` (kept between runs; --reload starts over).
// --queries N keeps the first N workload queries (the high-match group always runs); --min-matches N keeps
// only queries with more matches than N (for a quick look at the expensive ones). --compare-unprepared also
// times Loupe on connections that never keep statements prepared; --compare-pool-share N, Loupe with
// another impact-ordered pool share. --query TEXT (repeatable) keeps only the
// queries with exactly that text.
import BenchSupport
import Benchmarks
import Foundation
import PostgresClient
import PostgresSearch
import SearchCore

struct WorkloadQuery {
    let text: String
    let kind: String
    /// False for the synthetic high-match queries.
    var fromWorkload = true
}

/// Not from the workload: the ten most frequent lexemes of the corpus (term_statistics) as a user would
/// type them, ten ORs of them with over 50,000 matches each, and the ten ANDs of them with the most
/// matches (only the first three have over 50,000: few pairs co-occur that often).
let highMatchQueries: [WorkloadQuery] =
    ["1913", "webster", "n", "use", "package", "see", "1", "provide", "2", "contain"]
        .map { WorkloadQuery(text: $0, kind: "term", fromWorkload: false) }
    + ["use package", "provide use", "contain use", "library use", "see use", "see package", "see provide",
       "one use", "one see", "webster use"]
        .map { WorkloadQuery(text: $0, kind: "union", fromWorkload: false) }
    + ["webster 1913", "webster n", "1913 n", "webster see", "1913 see", "package contain", "package library",
       "package provide", "use package", "webster one"]
        .map { WorkloadQuery(text: $0, kind: "intersection", fromWorkload: false) }

func milliseconds(_ duration: Duration) -> Double { duration / .milliseconds(1) }

@main
struct BenchScale {
    static func main() async { await runBenchmark(run) }

    static func run() async throws {
        var output = "bench/results", reload = false, rounds = 3, limitQueries = Int.max, schema = "bench_scale"
        var minimumMatches = -1
        var compareUnprepared = false
        var compareUnpacked = false
        var comparePoolShare: Int?
        var onlyQueries: [String] = []
        var arguments = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = arguments.next() {
            switch argument {
            case "--out": output = arguments.next() ?? output
            case "--reload": reload = true
            case "--rounds": rounds = Int(arguments.next() ?? "") ?? rounds
            case "--queries": limitQueries = Int(arguments.next() ?? "") ?? limitQueries
            case "--schema": schema = arguments.next() ?? schema
            case "--min-matches": minimumMatches = Int(arguments.next() ?? "") ?? minimumMatches
            case "--compare-unprepared": compareUnprepared = true
            case "--compare-unpacked": compareUnpacked = true
            case "--compare-pool-share": comparePoolShare = Int(arguments.next() ?? "")
            case "--query": onlyQueries.append(arguments.next() ?? "")
            default: throw BenchError("unknown option \(argument)")
            }
        }
        let files = ["debian-descriptions", "gcide", "wordnet"].map { "corpus/scale/\($0).jsonl.gz" }
        var configuration = try await PostgresConfiguration.resolve(url: nil)
        let admin = try await PostgresConnection.connect(configuration)
        guard schema.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }), !schema.isEmpty else {
            throw BenchError("--schema takes a lower-case SQL identifier")
        }
        if reload { try await admin.query("DROP SCHEMA IF EXISTS \(unsafeRaw: schema) CASCADE") }
        try await admin.query("CREATE SCHEMA IF NOT EXISTS \(unsafeRaw: schema)")
        configuration.searchPath = [schema]
        let pool = PostgresConnectionPool(configuration: configuration, options: .init(maximumConnections: 4))
        try await Migrator(pool: pool, migrations: try MigrationSource.load(from: MigrationSource.defaultDirectory())).up()
        let store = CollectionStore(pool: pool)
        var loadSeconds: Double?
        let collection: StoredCollection
        if let existing = try await store.find("scale") {
            collection = existing
        } else {
            collection = try await store.create(try CollectionDefinition(
                name: CollectionName("scale"),
                fields: [SearchableField(name: "title", weight: .a), SearchableField(name: "text", weight: .b)]))
            let start = ContinuousClock.now
            var loaded = 0
            for file in files {
                var batch: [(id: String, json: String)] = []
                for line in try readText(file).split(separator: "\n") where !line.isEmpty {
                    guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                          let id = object["_id"].map({ "\($0)" }) else { continue }
                    batch.append((id, String(line)))
                    if batch.count == 1000 {
                        loaded += try await store.upsert(batch, into: collection)
                        batch.removeAll(keepingCapacity: true)
                        if loaded % 50_000 == 0 { print("  loaded \(loaded)") }
                    }
                }
                loaded += try await store.upsert(batch, into: collection)
            }
            try await pool.query("VACUUM ANALYZE documents, postings, term_statistics, collection_statistics")
            loadSeconds = (ContinuousClock.now - start) / .seconds(1)
            print("loaded \(loaded) documents in \(Int(loadSeconds ?? 0)) s")
        }
        if let packing = try await PostingsPacker(pool: pool).packStale(only: collection.id).first {
            print(packing.description)
        }
        let documentCount = try await pool.query("SELECT count(*) AS n FROM documents WHERE deleted_at IS NULL")
            .single().decode(Int.self, column: "n")

        // The workload, each query tagged with its type.
        var workload: [WorkloadQuery] = []
        for line in try String(contentsOfFile: "corpus/scale/queries-aol.jsonl", encoding: .utf8).split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let text = object["query"] as? String, let tags = object["tags"] as? [String],
                  let kind = tags.first(where: { ["term", "intersection", "union", "phrase"].contains($0) }) else { continue }
            workload.append(WorkloadQuery(text: text, kind: kind))
        }
        workload = Array(workload.prefix(limitQueries)) + highMatchQueries
        if !onlyQueries.isEmpty { workload = workload.filter { onlyQueries.contains($0.text) } }

        let engine = PostgresSearchEngine(pool: pool, cursorAuthenticator: HMACCursorAuthenticator.random())
        // A second Loupe, changed in one respect, timed in the same alternation: on connections that never
        // keep statements prepared, or with another impact-ordered pool share.
        let comparing = compareUnprepared || compareUnpacked || comparePoolShare != nil
        var variantConfiguration = configuration
        variantConfiguration.preparedStatements = !compareUnprepared
        var variantOptions = PostgresSearchEngine.Options()
        if let comparePoolShare { variantOptions.impactOrderedPoolShare = comparePoolShare }
        variantOptions.packedPostings = !compareUnpacked
        let variantLabel = compareUnprepared ? "Loupe unprepared"
            : compareUnpacked ? "Loupe without packs" : "Loupe, pool share \(comparePoolShare ?? 0)"
        let variantPool = PostgresConnectionPool(configuration: variantConfiguration, options: .init(maximumConnections: 4))
        let variantEngine = PostgresSearchEngine(
            pool: variantPool, cursorAuthenticator: HMACCursorAuthenticator.random(), options: variantOptions)
        func loupe(_ query: WorkloadQuery, on engine: PostgresSearchEngine) async throws -> Int {
            let page = try await engine.search(SearchRequest(
                collection: "scale", query: query.text, limit: 10,
                match: query.kind == "union" ? .any : .all,
                highlight: HighlightRequest(fields: ["title", "text"])))
            return page.hits.count
        }
        /// Plain PostgreSQL: websearch_to_tsquery (OR-ed for union queries), ORDER BY ts_rank, LIMIT 10.
        func tsQueryExpression(_ query: WorkloadQuery) -> PostgresQuery {
            query.kind == "union"
                ? "replace(websearch_to_tsquery('english', \(query.text))::text, ' & ', ' | ')::tsquery"
                : "websearch_to_tsquery('english', \(query.text))"
        }
        func plain(_ query: WorkloadQuery) async throws -> Int {
            try await pool.query("""
                SELECT d.external_id, ts_rank(d.search_vector, q.q) AS rank
                FROM documents d, (SELECT \(tsQueryExpression(query)) AS q) AS q
                WHERE d.collection_id = \(collection.id) AND d.deleted_at IS NULL AND d.search_vector @@ q.q
                ORDER BY rank DESC LIMIT 10
                """).count
        }
        func matches(_ query: WorkloadQuery) async throws -> Int {
            try await pool.query("""
                SELECT count(*) AS n FROM documents d
                WHERE d.collection_id = \(collection.id) AND d.deleted_at IS NULL AND d.search_vector @@ \(tsQueryExpression(query))
                """).single().decode(Int.self, column: "n")
        }

        struct Measurement {
            let query: WorkloadQuery; let matches: Int; var loupe: [Double]; var plain: [Double]; var loupeErrors: Int
            var variant: [Double] = []
        }
        var measurements: [Measurement] = []
        for query in workload {
            let count = try await matches(query)
            if count > minimumMatches {
                measurements.append(Measurement(query: query, matches: count, loupe: [], plain: [], loupeErrors: 0))
            }
        }
        // Warm-up round, then timed rounds; the two systems alternate query by query.
        for round in 0...rounds {
            for index in measurements.indices {
                let query = measurements[index].query
                var start = ContinuousClock.now
                do { _ = try await loupe(query, on: engine) } catch { measurements[index].loupeErrors += round > 0 ? 1 : 0 }
                let loupeTime = milliseconds(ContinuousClock.now - start)
                if comparing {
                    start = ContinuousClock.now
                    _ = try? await loupe(query, on: variantEngine)
                    if round > 0 { measurements[index].variant.append(milliseconds(ContinuousClock.now - start)) }
                }
                start = ContinuousClock.now
                _ = try await plain(query)
                let plainTime = milliseconds(ContinuousClock.now - start)
                if round > 0 {
                    measurements[index].loupe.append(loupeTime)
                    measurements[index].plain.append(plainTime)
                }
            }
            print(round == 0 ? "warm-up done" : "round \(round) done")
        }
        let server = try await BenchmarkSchema.serverFacts(of: pool)
        await pool.shutdown()
        await variantPool.shutdown()

        // Per query: median over rounds. Then p50/p95 over queries, by group.
        func summary(_ group: [Measurement]) -> [String: Any] {
            guard !group.isEmpty else { return ["queries": 0] }
            let loupe = group.map { percentile($0.loupe, 0.5) ?? 0 }
            let plain = group.map { percentile($0.plain, 0.5) ?? 0 }
            let ratios = zip(plain, loupe).map { $0 / max($1, 0.001) }
            var extra: [String: Any] = [:]
            if comparing {
                let variant = group.map { percentile($0.variant, 0.5) ?? 0 }
                extra["variant_p50_ms"] = percentile(variant, 0.5) ?? 0
                extra["median_speedup_over_variant"] = percentile(zip(variant, loupe).map { $0 / max($1, 0.001) }, 0.5) ?? 0
            }
            return extra.merging([
                "queries": group.count,
                "loupe_p50_ms": percentile(loupe, 0.5) ?? 0, "loupe_p95_ms": percentile(loupe, 0.95) ?? 0,
                "plain_p50_ms": percentile(plain, 0.5) ?? 0, "plain_p95_ms": percentile(plain, 0.95) ?? 0,
                "median_speedup": percentile(ratios, 0.5) ?? 0, "lowest_speedup": ratios.min() ?? 0,
                "loupe_errors": group.map(\.loupeErrors).reduce(0, +),
            ]) { $1 }
        }
        let real = measurements.filter(\.query.fromWorkload)
        let synthetic = measurements.filter { !$0.query.fromWorkload }
        var groups: [(String, [Measurement])] = [("all", real)]
        for kind in ["term", "intersection", "union", "phrase"] {
            groups.append((kind, real.filter { $0.query.kind == kind }))
        }
        groups.append(("over 50,000 matches", real.filter { $0.matches > 50_000 }))
        groups.append(("over 10,000 matches", real.filter { $0.matches > 10_000 }))
        groups.append(("high-match (synthetic): all", synthetic))
        for kind in ["term", "union", "intersection"] {
            groups.append(("high-match (synthetic): \(kind)", synthetic.filter { $0.query.kind == kind }))
        }
        groups.append(("over 50,000 matches, workload and high-match", measurements.filter { $0.matches > 50_000 }))
        let summaries = groups.map { ($0.0, summary($0.1)) }

        let machine = machineFacts(postgres: server)
        var commandParts = ["swift run -c release BenchScale --rounds \(rounds)"]
        if schema != "bench_scale" { commandParts.append("--schema \(schema)") }
        if limitQueries < Int.max { commandParts.append("--queries \(limitQueries)") }
        if minimumMatches >= 0 { commandParts.append("--min-matches \(minimumMatches)") }
        commandParts += onlyQueries.map { "--query '\($0)'" }
        if compareUnprepared { commandParts.append("--compare-unprepared") }
        if compareUnpacked { commandParts.append("--compare-unpacked") }
        if let comparePoolShare { commandParts.append("--compare-pool-share \(comparePoolShare)") }
        let command = commandParts.joined(separator: " ")
        let report: [String: Any] = [
            "documents": documentCount, "workload": "corpus/scale/queries-aol.jsonl", "rounds": rounds,
            "workload_queries": real.count, "high_match_queries": synthetic.count,
            "command": command, "machine": machine, "load_seconds": loadSeconds as Any,
            "groups": Dictionary(uniqueKeysWithValues: summaries.map { ($0.0, $0.1) }),
            "per_query": measurements.map { m in
                ["query": m.query.text, "kind": m.query.kind, "workload": m.query.fromWorkload, "matches": m.matches,
                 "loupe_ms": percentile(m.loupe, 0.5) ?? 0, "plain_ms": percentile(m.plain, 0.5) ?? 0,
                 "variant_ms": percentile(m.variant, 0.5) as Any] as [String: Any]
            },
        ]
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: "\(output)/scale-latency.json"))
        var table = "| queries | n | Loupe p50 ms | Loupe p95 ms | plain ts_rank p50 ms | plain p95 ms | median speed-up | lowest speed-up | Loupe errors |\n|---|---|---|---|---|---|---|---|---|\n"
        for (name, s) in summaries {
            func f(_ key: String) -> String { (s[key] as? Double).map { String(format: "%.1f", $0) } ?? "-" }
            table += "| \(name) | \(s["queries"] ?? 0) | \(f("loupe_p50_ms")) | \(f("loupe_p95_ms")) | \(f("plain_p50_ms")) | \(f("plain_p95_ms")) | \(f("median_speedup"))x | \(f("lowest_speedup"))x | \(s["loupe_errors"] ?? 0) |\n"
        }
        var variantTable = ""
        if comparing {
            let change = compareUnprepared
                ? "on connections that never keep statements prepared (`preparedStatements = false`)"
                : compareUnpacked ? "without packed postings (`packedPostings = false`: the row-based strategies only)"
                : "with `impactOrderedPoolShare = \(comparePoolShare ?? 0)` (default \(PostgresSearchEngine.Options().impactOrderedPoolShare))"
            variantTable = """
                Loupe again \(change), timed in the same alternation (Loupe, \(variantLabel), plain), per query the
                median of the rounds; the speed-up is the variant's time over Loupe's:

                | queries | n | Loupe p50 ms | \(variantLabel) p50 ms | median speed-up of Loupe over the variant |
                |---|---|---|---|---|

                """
            for (name, s) in summaries {
                func f(_ key: String) -> String { (s[key] as? Double).map { String(format: "%.2f", $0) } ?? "-" }
                variantTable += "| \(name) | \(s["queries"] ?? 0) | \(f("loupe_p50_ms")) | \(f("variant_p50_ms")) | \(f("median_speedup_over_variant"))x |\n"
            }
        }
        let markdown = """
            # Query latency on the scale corpus (\(documentCount) documents, \(real.count) real queries)

            Command: `\(command)` (release build). Loupe: top-10 page with highlights on `title` and `text`,
            BM25, `match all` for term/intersection/phrase queries and `match any` for union queries.
            Plain: `websearch_to_tsquery` (terms OR-ed for union queries) and
            `ORDER BY ts_rank(search_vector, q) DESC LIMIT 10`, on the same table and GIN index, alternating
            query by query with Loupe. Per query the median of \(rounds) rounds after a warm-up; then p50/p95
            over queries. Speed-up is plain time / Loupe time per query, median and lowest over the group.

            The rows marked "high-match (synthetic)" are \(synthetic.count) queries that are not from the workload:
            the ten most frequent lexemes of the corpus as typed words (`term`), ten ORs of them with over 50,000
            matches each (`union`, match any) and the ten ANDs of them with the most matches (`intersection`,
            match all; only three pairs have over 50,000). The last row pools every query, real or synthetic,
            with over 50,000 matches.

            \(table)
            \(variantTable)
            Machine: \(MachineFacts.line(machine)); local cluster on a Unix socket; the load is the average at the end.

            """
        try markdown.write(toFile: "\(output)/scale-latency.md", atomically: true, encoding: .utf8)
        print(markdown)
    }
}
