@testable import Benchmarks
import Foundation
import SearchCore
import Testing

@Suite struct CorpusTests {
    private func temporaryFile(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("loupe-\(UUID().uuidString)-\(name)").path
    }

    private func learningCorpus() throws -> String {
        let path = temporaryFile("learn.jsonl")
        let lines = (0..<50).map { number in
            #"{"_id": "d\#(number)", "title": "title words \#(number % 7)", "text": "the quick brown fox \#(String(repeating: "jumps ", count: number % 5))over"}"#
        }
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theSyntheticCorpusIsTheSameForTheSameSeed() throws {
        let source = try learningCorpus()
        let first = temporaryFile("a.jsonl"), second = temporaryFile("b.jsonl"), other = temporaryFile("c.jsonl")
        defer { for path in [source, first, second, other] { try? FileManager.default.removeItem(atPath: path) } }
        try SyntheticCorpus(learningFrom: [source], seed: 42).write(count: 300, to: first)
        try SyntheticCorpus(learningFrom: [source], seed: 42).write(count: 300, to: second)
        try SyntheticCorpus(learningFrom: [source], seed: 7).write(count: 300, to: other)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: first))
        #expect(bytes == (try Data(contentsOf: URL(fileURLWithPath: second))))
        #expect(bytes != (try Data(contentsOf: URL(fileURLWithPath: other))))

        // Every line is a valid document drawn from the learnt vocabulary.
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 300)
        let vocabulary: Set<Substring> = ["title", "words", "the", "quick", "brown", "fox", "jumps", "over", "0", "1", "2", "3", "4", "5", "6"]
        for line in lines {
            let document = try SourceDocument(try JSONParser.parse(Array(line.utf8)))
            let words = ((document.body["title"]?.stringValue ?? "") + " " + (document.body["text"]?.stringValue ?? "")).split(separator: " ")
            #expect(words.allSatisfy(vocabulary.contains))
        }
    }

    @Test func learningFromNothingIsAnError() throws {
        let empty = temporaryFile("empty.jsonl")
        try "".write(toFile: empty, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(throws: BenchmarkError.self) { try SyntheticCorpus(learningFrom: [empty]) }
    }

    @Test func highMatchQueriesAreSinglesAndPairs() {
        let queries = BenchmarkQuery.highMatch(commonWords: ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"])
        #expect(queries.count == 14)
        #expect(queries.allSatisfy { $0.kind == BenchmarkQuery.highMatchKind })
        #expect(queries.prefix(8).map(\.text) == ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"])
        #expect(queries[8].text == "alpha beta" && queries[8].match == .all)
        #expect(queries[13].text == "zeta eta" && queries[13].match == .any)
    }

    @Test func httpQueriesKeepPlusSigns() throws {
        let url = try HTTPProbe.url(for: SearchRequest(collection: "bench", query: "+griffith +observatory", highlight: HighlightRequest(fields: ["title", "text"])), port: 8080)
        #expect(url.absoluteString.contains("q=%2Bgriffith%20%2Bobservatory"))
        #expect(url.absoluteString.contains("highlight=title,text"))
    }

    @Test func latencySummaryUsesNearestRank() throws {
        let summary = try #require(LatencySummary((1...100).map(Double.init)))
        #expect(summary.queries == 100 && summary.p50 == 51 && summary.p95 == 95 && summary.p99 == 99)
        #expect(LatencySummary([]) == nil)
    }
}
