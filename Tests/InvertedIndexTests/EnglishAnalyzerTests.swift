import InvertedIndex
import Testing

/// Expectations are PostgreSQL 15's `to_tsvector('english', ...)` and `ts_debug('english', ...)` output.
@Suite struct EnglishAnalyzerTests {
    let analyzer = EnglishAnalyzer()

    @Test func vectorMatchesToTsvector() {
        let text = "The self-made man ran 2.5 km to http://ab.cd/x <b>fast</b> &amp; well."
        #expect(analyzer.vector(text).description
            == "'/x':12 '2.5':7 'ab.cd':11 'ab.cd/x':10 'fast':13 'km':8 'made':4 'man':5 'ran':6 'self':3 "
            + "'self-mad':2 'well':14")
        #expect(analyzer.vector("Running quickly, NF-κB and β-cells: see e.g. www.example.com!").description
            == "'cell':9 'e.g':11 'nf':4 'nf-κb':3 'quick':2 'run':1 'see':10 'www.example.com':12 'β':8 "
            + "'β-cell':7 'κb':5")
    }

    /// Stop words take positions; blanks, tags, entities and protocols do not; compounds take one for the
    /// whole and one per part.
    @Test func tokensCarryPositionsOffsetsAndLexemes() {
        let text = "The self-made man ran to http://ab.cd/x <b>fast</b>"
        let tokens = analyzer.analyze(text)
        let bytes = Array(text.utf8)
        let rows = tokens.map { token in
            "\(token.position) \(token.kind.alias) \(String(decoding: bytes[token.byteRange], as: UTF8.self)) "
                + (token.lexeme?.text ?? "-")
        }
        #expect(rows == [
            "1 asciiword The -", "2 asciihword self-made self-mad", "3 hword_asciipart self self",
            "4 hword_asciipart made made", "5 asciiword man man", "6 asciiword ran ran", "7 asciiword to -",
            "8 url ab.cd/x ab.cd/x", "9 host ab.cd ab.cd", "10 url_path /x /x", "11 asciiword fast fast",
        ])
        #expect(tokens[1].byteRange == 4..<13)
        #expect(tokens[7].byteRange == 32..<39)
    }

    @Test func onlyStopWordsGiveAnEmptyVector() {
        #expect(analyzer.vector("It is what it is").positions.isEmpty)
        #expect(analyzer.analyze("It is what it is").map(\.position) == [1, 2, 3, 4, 5])
    }

    @Test func dictionariesFollowTheEnglishConfiguration() {
        #expect(EnglishAnalyzer.dictionary(for: .asciiWord) == .englishStem)
        #expect(EnglishAnalyzer.dictionary(for: .hyphenatedPart) == .englishStem)
        #expect(EnglishAnalyzer.dictionary(for: .numWord) == .simple)
        #expect(EnglishAnalyzer.dictionary(for: .email) == .simple)
        #expect(EnglishAnalyzer.dictionary(for: .version) == .simple)
        #expect(EnglishAnalyzer.dictionary(for: .blank) == nil)
        #expect(EnglishAnalyzer.dictionary(for: .urlProtocol) == nil)
        #expect(EnglishAnalyzer.dictionary(for: .entity) == nil)
    }

    /// PostgreSQL skips tokens of 2047 bytes or more, without a position.
    @Test func overlongTokensAreSkipped() {
        #expect(analyzer.vector(String(repeating: "a", count: 2047) + " x").description == "'x':1")
        let accented = String(repeating: "é", count: 1023)  // 2046 bytes: still indexed
        #expect(analyzer.vector(accented + " x").positions[Lexeme("x")] == [2])
    }

    @Test func positionsStopAt16383AndALexemeKeeps255() {
        let words = (1...16400).map { "w\($0)" }.joined(separator: " ")
        let vector = analyzer.vector(words)
        #expect(vector.positions[Lexeme("w16383")] == [16383])
        #expect(vector.positions[Lexeme("w16400")] == [16383])
        let cats = analyzer.vector(String(repeating: "cat ", count: 300))
        #expect(cats.positions[Lexeme("cat")] == Array(1...255))
    }

    /// `á` precomposed and `a` + combining acute are different lexemes in a tsvector, though equal as Swift strings.
    @Test func lexemesCompareByBytes() {
        let vector = analyzer.vector("\u{E1} a\u{301}")
        #expect(vector.positions.count == 2)
        #expect(Lexeme("\u{E1}") != Lexeme("a\u{301}"))
        #expect(Lexeme("ab") < Lexeme("b"))
    }

    @Test func descriptionQuotesLikePostgres() {
        var vector = TextSearchVector()
        vector.add("it's", at: 1)
        vector.add("a\\b", at: 2)
        #expect(vector.description == "'a\\\\b':2 'it''s':1")
    }
}
