// The in-memory engine measured on its own: relevance on SciFact, then index build rate, index size and
// query latency on the ~300k-document scale corpus and on a 1M-document synthetic corpus drawn from it.
//
//   swift run -c release BenchMemory [--suite all|relevance|scale|synthetic] [--synthetic-documents 1000000]
//                                    [--rounds 3] [--out bench/results]
//
// Writes bench/results/memory-engine.json and .md (plot with bench/plot_memory.py).
import BenchSupport
import Benchmarks
import Foundation
import InvertedIndex
import Relevance
import SearchCore

/// Cursors are not used here; any stable keyed digest will do.
struct BenchAuthenticator: MessageAuthenticator {
    func authenticationCode(for message: [UInt8]) -> [UInt8] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in message { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return (0..<8).map { UInt8(truncatingIfNeeded: hash >> UInt64($0 * 8)) }
    }
}

struct WorkloadQuery {
    let text: String
    let kind: String

    /// The real workload's kinds, then the corpus-derived group; `all` covers the real workload only.
    static let kinds = ["term", "intersection", "union", "phrase"]
    static let highMatchTerm = "high-match term"
}

func seconds(_ duration: Duration) -> Double { duration / .seconds(1) }
func milliseconds(_ duration: Duration) -> Double { duration / .milliseconds(1) }

func definition(_ name: String) throws -> CollectionDefinition {
    try CollectionDefinition(
        name: CollectionName(name), fields: [SearchableField(name: "title", weight: .a), SearchableField(name: "text", weight: .b)])
}

/// Lines of a JSONL file as documents (ids from `_id`).
func documents(_ path: String) throws -> [SourceDocument] {
    try readText(path).split(separator: "\n").compactMap { line in
        guard let value = try? JSONParser.parse(Array(line.utf8), limits: .init(maximumDepth: 32, maximumStringBytes: 8 << 20))
        else { return nil }
        return try? SourceDocument(value)
    }
}

/// Loads documents in batches of 10,000 through the public API, as an app would; returns seconds.
func load(_ documents: [SourceDocument], into engine: InMemorySearchEngine, collection: String) async throws -> Double {
    let start = ContinuousClock.now
    var index = 0
    while index < documents.count {
        let end = min(index + 10_000, documents.count)
        _ = try await engine.upsert(Array(documents[index..<end]), into: collection)
        index = end
        if index % 100_000 == 0 { print("  indexed \(index)") }
    }
    return seconds(ContinuousClock.now - start)
}

func workload() throws -> [WorkloadQuery] {
    try String(contentsOfFile: "corpus/scale/queries-aol.jsonl", encoding: .utf8).split(separator: "\n").compactMap { line in
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let text = object["query"] as? String, let tags = object["tags"] as? [String],
              let kind = tags.first(where: WorkloadQuery.kinds.contains) else { return nil }
        return WorkloadQuery(text: text, kind: kind)
    }
}

/// p50/p99 per query type of per-query medians over `rounds` (after one warm-up round).
func latency(_ engine: InMemorySearchEngine, collection: String, queries: [WorkloadQuery], rounds: Int, highlight: Bool) async throws -> [String: Any] {
    var times = Array(repeating: [Double](), count: queries.count)
    var errors = 0
    for round in 0...rounds {
        for (index, query) in queries.enumerated() {
            let request = SearchRequest(
                collection: collection, query: query.text, limit: 10, match: query.kind == "union" ? .any : .all,
                highlight: highlight ? HighlightRequest(fields: ["title", "text"]) : nil)
            let start = ContinuousClock.now
            do { _ = try await engine.search(request) } catch { errors += round > 0 ? 1 : 0 }
            if round > 0 { times[index].append(milliseconds(ContinuousClock.now - start)) }
        }
    }
    var groups: [String: Any] = ["errors": errors]
    for kind in ["all"] + WorkloadQuery.kinds + [WorkloadQuery.highMatchTerm] {
        let members = queries.indices.filter { kind == "all" ? WorkloadQuery.kinds.contains(queries[$0].kind) : queries[$0].kind == kind }
        let medians = members.map { percentile(times[$0], 0.5) ?? 0 }
        guard !medians.isEmpty else { continue }
        groups[kind] = ["queries": medians.count, "p50_ms": percentile(medians, 0.5) ?? 0, "p99_ms": percentile(medians, 0.99) ?? 0]
    }
    return groups
}

/// The collection's 10 most frequent lexemes as single-word queries: for each, the commonest lower-case
/// spelling in the first 20,000 documents that analyses to that lexeme alone.
func highMatchTerms(_ engine: InMemorySearchEngine, collection: String, corpus: [SourceDocument]) throws -> [WorkloadQuery] {
    let lexemes = try engine.frequentLexemes(in: collection, count: 10).map(\.lexeme)
    let wanted = Set(lexemes)
    let analyzer = EnglishAnalyzer()
    var spellings: [String: [String: Int]] = [:]
    for document in corpus.prefix(20_000) {
        for field in ["title", "text"] {
            guard let text = document.body[field]?.stringValue else { continue }
            let bytes = Array(text.utf8)
            analyzer.forEachToken(in: text) { token in
                guard let lexeme = token.lexeme?.text, wanted.contains(lexeme) else { return }
                spellings[lexeme, default: [:]][String(decoding: bytes[token.byteRange], as: UTF8.self).lowercased(), default: 0] += 1
            }
        }
    }
    return lexemes.compactMap { lexeme in
        let typed = (spellings[lexeme] ?? [:]).sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map(\.key).first { analyzer.analyze($0).compactMap(\.lexeme?.text) == [lexeme] }
        return typed.map { WorkloadQuery(text: $0, kind: WorkloadQuery.highMatchTerm) }
    }
}

func footprintReport(_ footprint: IndexFootprint) -> [String: Any] {
    [
        "documents": footprint.documents, "segments": footprint.segments, "terms": footprint.terms,
        "postings": footprint.postings, "positions": footprint.positions,
        "posting_bytes": footprint.postingBytes, "position_bytes": footprint.positionBytes,
        "block_bytes": footprint.blockBytes, "dictionary_bytes": footprint.dictionaryBytes,
        "champion_bytes": footprint.championBytes, "stop_word_bytes": footprint.stopWordBytes, "stored_bytes": footprint.storedBytes,
        "bytes_per_posting": footprint.bytesPerPosting, "bytes_per_posting_with_positions": footprint.bytesPerPostingWithPositions,
    ]
}

/// The synthetic tier of `loupe bench speed` (same seed, same scale files), held in memory.
func synthetic(count: Int) throws -> [SourceDocument] {
    var result: [SourceDocument] = []
    result.reserveCapacity(count)
    try SyntheticCorpus(learningFrom: TierCorpus.scaleFiles, seed: 42).generate(count: count) { number, title, text in
        let body = JSONValue.object(["_id": .string("s\(number)"), "title": .string(title), "text": .string(text)])
        if let document = try? SourceDocument(body) { result.append(document) }
    }
    return result
}

func residentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kilobytes = Double(line.split(whereSeparator: \.isWhitespace).dropFirst().first ?? "") else { return 0 }
    return kilobytes / 1024
}

@main
struct BenchMemory {
    static func main() async { await runBenchmark(run) }

    static func run() async throws {
        var suite = "all", output = "bench/results", rounds = 3, syntheticCount = 1_000_000
        var arguments = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = arguments.next() {
            switch argument {
            case "--suite": suite = arguments.next() ?? suite
            case "--out": output = arguments.next() ?? output
            case "--rounds": rounds = Int(arguments.next() ?? "") ?? rounds
            case "--synthetic-documents": syntheticCount = Int(arguments.next() ?? "") ?? syntheticCount
            default: throw BenchError("unknown option \(argument)")
            }
        }
        var report: [String: Any] = [:]
        var markdown = "# The in-memory engine\n\n"
        let command = "swift run -c release BenchMemory --suite \(suite) --rounds \(rounds)"
            + (syntheticCount == 1_000_000 ? "" : " --synthetic-documents \(syntheticCount)")
        markdown += "Command: `\(command)` (release build), one process, engine used through its public API.\n\n"

        if suite == "all" || suite == "relevance" {
            let engine = InMemorySearchEngine(cursorAuthenticator: BenchAuthenticator())
            _ = try await engine.createCollection(try definition("scifact"))
            let corpus = try documents("corpus/scifact/corpus.jsonl.gz")
            let loadSeconds = try await load(corpus, into: engine, collection: "scifact")
            let qrels = try Qrels.parse(try String(contentsOfFile: "corpus/scifact/qrels/test.tsv", encoding: .utf8))
            let queries = try QuerySet.parseBEIR(jsonl: try String(contentsOfFile: "corpus/scifact/queries.jsonl", encoding: .utf8))
            let metrics: [Metric] = [.ndcg(10), .recall(100), .averagePrecision(100), .reciprocalRank(10), .precision(10)]
            var rows: [[String: Any]] = []
            var table = "| system | " + metrics.map(\.description).joined(separator: " | ") + " | median ms/query |\n"
            table += "|---|" + String(repeating: "---|", count: metrics.count + 1) + "\n"
            for match in [MatchMode.auto, .any] {
                var run = Run()
                var latencies: [Double] = []
                for queryID in qrels.queryIDs {
                    guard let text = queries.texts[queryID] else { continue }
                    let start = ContinuousClock.now
                    let page = try await engine.search(SearchRequest(collection: "scifact", query: text, limit: 100, match: match))
                    latencies.append(milliseconds(ContinuousClock.now - start))
                    run.rankings[queryID] = page.hits.map { Run.Entry(documentID: $0.id, score: $0.score) }
                }
                let evaluation = Evaluator.evaluate(run, qrels: qrels, metrics: metrics)
                let name = "memory BM25 (match \(match.rawValue))"
                let values = metrics.map { evaluation.mean[$0] ?? 0 }
                table += "| \(name) | " + values.map { String(format: "%.4f", $0) }.joined(separator: " | ")
                    + " | \(String(format: "%.2f", percentile(latencies, 0.5) ?? 0)) |\n"
                print(name + ": " + zip(metrics, values).map { "\($0) \(String(format: "%.4f", $1))" }.joined(separator: ", "))
                rows.append([
                    "system": name, "queries": evaluation.queryCount, "median_latency_ms": percentile(latencies, 0.5) ?? 0,
                    "metrics": Dictionary(uniqueKeysWithValues: zip(metrics.map(\.description), values)),
                ])
            }
            report["scifact"] = ["documents": corpus.count, "load_seconds": loadSeconds, "split": "test", "results": rows]
            markdown += """
                ## Relevance: SciFact test split (\(qrels.queryIDs.count) judged queries, \(corpus.count) documents)

                `title` weight A, `text` weight B, flat class weights, k1 = 0.9, b = 0.4, `english` analysis; depth 100.

                \(table)

                """
        }

        var scaleCorpus: [SourceDocument] = []
        if suite == "all" || suite == "scale" || suite == "synthetic" {
            for file in ["debian-descriptions", "gcide", "wordnet"] {
                scaleCorpus.append(contentsOf: try documents("corpus/scale/\(file).jsonl.gz"))
            }
        }
        let queries = try workload()
        var tiers: [(String, [SourceDocument])] = []
        if suite == "all" || suite == "scale" { tiers.append(("scale", scaleCorpus)) }
        if suite == "all" || suite == "synthetic" {
            let start = ContinuousClock.now
            let generated = try synthetic(count: syntheticCount)
            print("generated \(generated.count) synthetic documents in \(String(format: "%.1f", seconds(ContinuousClock.now - start))) s")
            tiers.append(("synthetic", generated))
        }
        if suite == "synthetic" { scaleCorpus = [] }
        for (name, corpus) in tiers {
            let engine = InMemorySearchEngine(cursorAuthenticator: BenchAuthenticator())
            _ = try await engine.createCollection(try definition(name))
            let residentBefore = residentMegabytes()
            let buildSeconds = try await load(corpus, into: engine, collection: name)
            let residentAfter = residentMegabytes()
            let footprint = try engine.footprint(of: name)
            print("\(name): \(corpus.count) documents in \(String(format: "%.1f", buildSeconds)) s, "
                + "\(String(format: "%.2f", footprint.bytesPerPosting)) bytes/posting")
            let highMatch = try highMatchTerms(engine, collection: name, corpus: corpus)
            print("\(name) high-match terms: \(highMatch.map(\.text).joined(separator: ", "))")
            let plain = try await latency(engine, collection: name, queries: queries + highMatch, rounds: rounds, highlight: false)
            let highlighted = try await latency(engine, collection: name, queries: queries + highMatch, rounds: rounds, highlight: true)
            report[name] = [
                "documents": corpus.count, "build_seconds": buildSeconds, "documents_per_second": Double(corpus.count) / buildSeconds,
                "resident_mb_added": residentAfter - residentBefore, "footprint": footprintReport(footprint),
                "latency": plain, "latency_with_highlights": highlighted, "high_match_terms": highMatch.map(\.text),
            ]
            func cell(_ groups: [String: Any], _ kind: String, _ key: String) -> String {
                ((groups[kind] as? [String: Any])?[key] as? Double).map { String(format: "%.2f", $0) } ?? "-"
            }
            var table = "| queries | n | p50 ms | p99 ms | p50 ms with highlights | p99 ms with highlights |\n|---|---|---|---|---|---|\n"
            for kind in ["all"] + WorkloadQuery.kinds + [WorkloadQuery.highMatchTerm] {
                let count = (plain[kind] as? [String: Any])?["queries"] ?? 0
                table += "| \(kind) | \(count) | \(cell(plain, kind, "p50_ms")) | \(cell(plain, kind, "p99_ms")) | \(cell(highlighted, kind, "p50_ms")) | \(cell(highlighted, kind, "p99_ms")) |\n"
            }
            let title = name == "scale" ? "Scale corpus (debian-descriptions, gcide, wordnet)" : "Synthetic corpus (seed 42, drawn from the scale corpus)"
            markdown += """
                ## \(title): \(corpus.count) documents

                Build (batches of 10,000 through `upsert`, analysis included): \(String(format: "%.1f", buildSeconds)) s,
                \(Int(Double(corpus.count) / buildSeconds)) documents/s; resident memory grew by \(Int(residentAfter - residentBefore)) MB
                (stored JSON included). Index: \(footprint.segments) segments, \(footprint.terms) terms, \(footprint.postings) postings,
                \(footprint.positions) positions. Bytes per posting: \(String(format: "%.2f", footprint.bytesPerPosting)) (doc gaps, frequencies,
                block entries, champion lists and dictionary; the champion lists alone \(footprint.championBytes / 1024) KiB),
                \(String(format: "%.2f", footprint.bytesPerPostingWithPositions)) with positions.

                Latency of \(queries.count) real queries (`corpus/scale/queries-aol.jsonl`; `match all`, `match any` for union), top 10,
                per query the median of \(rounds) rounds after a warm-up, then p50/p99 over queries. `high-match term` is not from the
                workload and not in `all`: the corpus's \(highMatch.count) most frequent lexemes, each typed as one word (`match all`):
                \(highMatch.map { "`\($0.text)`" }.joined(separator: ", ")).

                \(table)

                """
        }
        let machine = machineFacts()
        report["machine"] = machine
        report["command"] = command
        markdown += "Machine: \(machine["cpu"] ?? ""), \(machine["cores"] ?? "") cores, \(machine["memory"] ?? ""); load average at the end \(machine["load"] ?? ""); commit \(machine["commit"] ?? ""); \(machine["date"] ?? "").\n"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let base = "\(output)/memory-engine" + (suite == "all" ? "" : "-\(suite)")
        try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: base + ".json"))
        try markdown.write(toFile: base + ".md", atomically: true, encoding: .utf8)
        print(markdown)
    }
}
