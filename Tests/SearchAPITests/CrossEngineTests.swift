import Foundation
import InvertedIndex
import LoupeTestSupport
import PostgresClient
import PostgresSearch
import SearchCore
import Testing

/// The same collection, documents and queries through the `SearchEngine` protocol on both engines: the
/// top 10 must agree (ids in order, scores within floating-point tolerance) on a SciFact sample.
@Suite struct CrossEngineTests {
    /// 400 SciFact abstracts (title weighs A, text B): real text, with no BM25 ties in the top 10.
    static func sample() throws -> [SourceDocument] {
        let path = TestDatabase.repositoryRoot.appendingPathComponent("corpus/scifact/corpus.jsonl.gz").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try data.split(separator: UInt8(ascii: "\n")).prefix(400).map { line in
            try SourceDocument(try JSONParser.parse(Array(line)))
        }
    }

    static let queries: [(String, MatchMode)] = [
        ("cancer", .auto), ("breast cancer risk", .auto), ("breast cancer risk", .any), ("cell", .all),
        ("protein expression in mice", .any), ("\"stem cells\"", .auto), ("immun*", .auto), ("gene OR genes", .auto),
        ("tumor -mice", .any), ("dna damage repair", .all), ("patients treated with insulin", .any),
        ("\"in vivo\" -human", .auto), ("vitamin d deficiency", .any), ("mortal* risk", .any), ("the", .auto),
        ("inflammation macrophages", .auto), ("e-mail", .auto), ("\"cells the cells\"", .auto), ("\"of the\"", .auto), ("children obesity diet exercise", .any),
    ]

    @Test func bothEnginesReturnTheSameTopTen() async throws {
        let documents = try Self.sample()
        let definition = try CollectionDefinition(
            name: CollectionName("cross"),
            fields: [SearchableField(name: "title", weight: .a), SearchableField(name: "text", weight: .b)])
        try await TestDatabase.withSchema { schema in
            try await Migrator(pool: schema.pool, migrations: try MigrationSource.load(from: MigrationSource.sourceTreeDirectory)).up()
            let postgres = PostgresSearchEngine(pool: schema.pool, cursorAuthenticator: HMACCursorAuthenticator.random())
            let memory = InMemorySearchEngine(cursorAuthenticator: HMACCursorAuthenticator.random())
            for engine in [postgres, memory] as [any SearchEngine] {
                _ = try await engine.createCollection(definition)
                let written = try await engine.upsert(documents, into: "cross")
                #expect(written.written == documents.count && written.problems.isEmpty, "\(engine.name)")
            }
            // Impacts with the live average length, as the in-memory engine always scores.
            try await schema.pool.query("SELECT refresh_search_impacts(id) FROM collections WHERE name = 'cross'")
            var compared = 0
            for (query, match) in Self.queries {
                let request = SearchRequest(
                    collection: "cross", query: query, limit: 10, match: match, highlight: HighlightRequest(fields: ["*"]), explain: true)
                let expected = try await postgres.search(request)
                let actual = try await memory.search(request)
                #expect(actual.matchUsed == expected.matchUsed, "\(query): match mode")
                if expected.totalIsExact && actual.totalIsExact {
                    #expect(actual.estimatedTotalHits == expected.estimatedTotalHits, "\(query): total")
                }
                #expect(actual.hits.count == expected.hits.count, "\(query): page size")
                // Stop-word-only queries are ranked differently by design (BM25 instead of ts_rank).
                guard query != "the" && query != "\"of the\"" else { continue }
                // Equal scores (within tolerance) may come in either order: the engines break ties differently.
                let tieKey = { (hit: Hit) in (hit.score * 1e9).rounded() }
                let actualHits = actual.hits.sorted { tieKey($0) != tieKey($1) ? $0.score > $1.score : $0.id < $1.id }
                let expectedHits = expected.hits.sorted { tieKey($0) != tieKey($1) ? $0.score > $1.score : $0.id < $1.id }
                for (a, b) in zip(actualHits, expectedHits) {
                    #expect(a.id == b.id, "\(query): \(actualHits.map(\.id)) vs \(expectedHits.map(\.id))")
                    #expect(abs(a.score - b.score) <= 1e-9 * max(1, abs(b.score)), "\(query): \(a.id) \(a.score) vs \(b.score)")
                    #expect(a.highlights == b.highlights, "\(query): highlights of \(a.id)")
                    let terms = a.explanation?.terms.map(\.term).sorted()
                    #expect(terms == b.explanation?.terms.map(\.term).sorted(), "\(query): explained terms of \(a.id)")
                }
                compared += 1
            }
            #expect(compared == Self.queries.count - 2)

            // The second page through each engine's own cursor agrees too.
            let first = SearchRequest(collection: "cross", query: "cell", limit: 10, match: .any)
            let postgresFirst = try await postgres.search(first)
            let memoryFirst = try await memory.search(first)
            var postgresNext = first
            postgresNext.cursor = postgresFirst.nextCursor
            var memoryNext = first
            memoryNext.cursor = memoryFirst.nextCursor
            let postgresSecond = try await postgres.search(postgresNext)
            let memorySecond = try await memory.search(memoryNext)
            #expect(memorySecond.hits.map(\.id) == postgresSecond.hits.map(\.id))
        }
    }
}
