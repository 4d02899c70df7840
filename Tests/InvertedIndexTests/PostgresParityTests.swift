import InvertedIndex
import LoupeTestSupport
import PostgresClient
import Testing

/// The analyzer against a real PostgreSQL: what it makes of text must be what `to_tsvector('english', ...)`
/// and `ts_debug('english', ...)` make of it.
@Suite struct PostgresParityTests {
    /// Per SciFact document (title + " " + text), the multiset of lexemes (lexeme -> number of positions)
    /// must equal PostgreSQL's for at least 99% of documents. Disagreements are printed by token class.
    @Test func sciFactLexemesMatchToTsvector() async throws {
        let documents = try SciFactCorpus.documents()
        #expect(documents.count == 5183)
        let analyzer = EnglishAnalyzer()
        var sameLexemes = 0
        var sameVector = 0
        var disagreements = ParityDisagreements()
        try await TestDatabase.withSchema { schema in
            var start = 0
            while start < documents.count {
                let batch = Array(documents[start..<min(start + 500, documents.count)])
                start += batch.count
                let rows = try await schema.pool.query("""
                    SELECT d.ord, v::text AS vector,
                           ARRAY(SELECT lexeme FROM unnest(v) ORDER BY lexeme) AS lexemes,
                           ARRAY(SELECT cardinality(positions)::int8 FROM unnest(v) ORDER BY lexeme) AS counts
                    FROM unnest(\(batch.map(\.text))::text[]) WITH ORDINALITY AS d(body, ord),
                         LATERAL to_tsvector('english', d.body) AS v
                    ORDER BY d.ord
                    """)
                try #require(rows.count == batch.count)
                for (row, document) in zip(rows, batch) {
                    let lexemes = try row.decode([String].self, column: "lexemes")
                    let counts = try row.decode([Int].self, column: "counts")
                    let expected = Dictionary(uniqueKeysWithValues: zip(lexemes.map { Lexeme($0) }, counts))
                    let vector = analyzer.vector(document.text)
                    if vector.description == (try row.decode(String.self, column: "vector")) { sameVector += 1 }
                    if vector.lexemeCounts == expected {
                        sameLexemes += 1
                    } else {
                        disagreements.record(document, ours: vector.lexemeCounts, postgres: expected, analyzer: analyzer)
                    }
                }
            }
        }
        let share = Double(sameLexemes) / Double(documents.count)
        print("""
            SciFact parity: \(sameLexemes) of \(documents.count) documents have PostgreSQL's lexemes \
            (\((share * 10000).rounded() / 100)%); \(sameVector) have the identical tsvector, positions included.
            """)
        disagreements.printReport()
        #expect(share >= 0.99)
    }

    /// Random text made of the pieces the parser's rules turn on (signs, dots, slashes, @, tags, marks, letters
    /// above ASCII): every token, blanks included, must be what `ts_parse('default', ...)` gives.
    @Test func parserMatchesTsParseOnGeneratedText() async throws {
        let pieces = [
            "a", "ab", "x1", "12", "0", "e", "E", "β", "é1", "\u{301}", "-", "+", ".", "..", "/", "~", "_", "@", ":",
            "://", "http", "www", "com", "org", "&", ";", "#", "amp", "<", ">", "</", "b", "script", "\"", "'", "=",
            "!", "?", " ", "\n", ",", "(", ")", "%",
        ]
        var generator = SplitMix64(seed: 42)
        let texts = (0..<3000).map { _ in
            (0..<(1 + Int(generator.next() % 10))).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }
                .joined()
        }
        let expected = try await TestDatabase.withSchema { schema in
            try await schema.pool.query("""
                SELECT d.ord, array_agg(t.alias || ':' || p.token ORDER BY p.n) AS tokens
                FROM unnest(\(texts)::text[]) WITH ORDINALITY AS d(body, ord),
                     LATERAL ts_parse('default', d.body) WITH ORDINALITY AS p(tokid, token, n)
                     JOIN ts_token_type('default') t ON t.tokid = p.tokid
                GROUP BY d.ord ORDER BY d.ord
                """).map { try $0.decode([String].self, column: "tokens") }
        }
        try #require(expected.count == texts.count)
        let differing = zip(texts, expected).filter { DefaultParserTests.parse($0) != $1 }
        #expect(differing.isEmpty, "\(differing.count) texts differ, first: \(differing.prefix(3).map(\.0))")
    }

    /// Token by token, on small texts: kind, UTF-8 offsets, position and lexeme as `ts_debug` has them.
    @Test(arguments: [
        "The self-made man ran 2.5 km to http://ab.cd/x <b>fast</b> &amp; well.",
        "Running quickly, NF-κB and β-cells: see e.g. www.example.com!",
        "ÅNGSTRÖM naïve anti-IL-6 (IL-6R) a.b@c.de 1.2.3 -4e5 ~/x.txt",
        "It is what it is: don't stop, co-operate",
    ])
    func tokensMatchTsDebug(_ text: String) async throws {
        let expected = try await TestDatabase.withSchema { schema in
            try await schema.pool.query(
                "SELECT alias, token, dictionaries::text[] AS dictionaries, lexemes FROM ts_debug('english', \(text))"
            ).map { row in
                try DebugRow(
                    alias: row.decode(String.self, column: "alias"), token: row.decode(String.self, column: "token"),
                    dictionaries: row.decode([String].self, column: "dictionaries"),
                    lexemes: row.isNull(column: "lexemes") ? nil : row.decode([String].self, column: "lexemes"))
            }
        }
        let positioned = DebugRow.positionedTokens(expected)
        let tokens = EnglishAnalyzer().analyze(text)
        #expect(tokens.count == positioned.count)
        for (token, debug) in zip(tokens, positioned) {
            #expect(token.kind.alias == debug.row.alias)
            #expect(token.byteRange == debug.byteRange, "\(debug.row.token)")
            #expect(token.position == debug.position, "\(debug.row.token)")
            #expect(token.lexeme?.text == debug.row.lexemes?.first, "\(debug.row.token)")
        }
    }
}

/// A small seeded random generator, so generated test text is the same on every run.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One row of `ts_debug`.
struct DebugRow {
    let alias: String
    let token: String
    let dictionaries: [String]
    let lexemes: [String]?

    /// The rows that take a position (those with a dictionary), each with its position and its byte range,
    /// worked out from the token texts: compounds (hyphenated words, URLs) are followed by their parts.
    static func positionedTokens(_ rows: [DebugRow]) -> [(row: DebugRow, position: Int, byteRange: Range<Int>)] {
        var result: [(row: DebugRow, position: Int, byteRange: Range<Int>)] = []
        var cursor = 0
        var partCursor = 0
        var compoundEnd = 0
        var position = 0
        for row in rows {
            let length = row.token.utf8.count
            let start: Int
            if ["asciihword", "hword", "numhword", "url"].contains(row.alias) {
                start = cursor
                partCursor = cursor
                compoundEnd = cursor + length
                cursor = compoundEnd
            } else if partCursor < compoundEnd {
                start = partCursor
                partCursor += length
            } else {
                start = cursor
                cursor += length
            }
            guard !row.dictionaries.isEmpty else { continue }
            position += 1
            result.append((row, position, start..<start + length))
        }
        return result
    }
}

/// Documents whose lexemes differ from PostgreSQL's, grouped by the token class that made each differing lexeme.
struct ParityDisagreements {
    private var byClass: [String: (lexemes: Int, examples: [String])] = [:]
    private var documents = 0

    mutating func record(
        _ document: SciFactCorpus.Document, ours: [Lexeme: Int], postgres: [Lexeme: Int], analyzer: EnglishAnalyzer
    ) {
        documents += 1
        let tokens = analyzer.analyze(document.text)
        for lexeme in Set(ours.keys).union(postgres.keys) where ours[lexeme] != postgres[lexeme] {
            let classes = Set(tokens.filter { $0.lexeme == lexeme }.map(\.kind.alias)).sorted()
            let key = classes.isEmpty ? "(only in PostgreSQL)" : classes.joined(separator: "+")
            var entry = byClass[key] ?? (0, [])
            entry.lexemes += 1
            if entry.examples.count < 5 {
                entry.examples.append(
                    "doc \(document.id): '\(lexeme.text)' ours \(ours[lexeme] ?? 0), PostgreSQL \(postgres[lexeme] ?? 0)")
            }
            byClass[key] = entry
        }
    }

    func printReport() {
        guard documents > 0 else { return }
        print("Documents that differ: \(documents). Differing lexemes by token class:")
        for (key, entry) in byClass.sorted(by: { $0.value.lexemes > $1.value.lexemes }) {
            print("  \(key): \(entry.lexemes)")
            for example in entry.examples { print("    \(example)") }
        }
    }
}
