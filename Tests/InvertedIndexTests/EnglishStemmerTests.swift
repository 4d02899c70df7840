import Foundation
import InvertedIndex
import Testing

@Suite struct EnglishStemmerTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/english-stems.tsv")

    /// Every pair PostgreSQL's `ts_lexize('english_stem', word)` gave (scripts/generate-stem-fixture); an empty
    /// stem is a stop word.
    @Test func matchesPostgresOnTheFixture() throws {
        let lines = try String(contentsOf: Self.fixture, encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(lines.count >= 2000)
        let analyzer = EnglishAnalyzer()
        var mismatches: [String] = []
        for line in lines {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            try #require(fields.count == 2, "malformed fixture line: \(line)")
            let word = String(fields[0])
            let expected = fields[1].isEmpty ? nil : Lexeme(String(fields[1]))
            let stem = analyzer.lexeme(of: word, dictionary: .englishStem)
            if stem != expected {
                mismatches.append("\(word): \(stem?.text ?? "(stop word)") != \(expected?.text ?? "(stop word)")")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(lines.count) words differ: \(mismatches.prefix(20))")
    }

    @Test(arguments: [
        ("running", "run"), ("generously", "generous"), ("generate", "generat"), ("communism", "communism"),
        ("arsenal", "arsenal"), ("skies", "sky"), ("dying", "die"), ("news", "news"), ("inning", "inning"),
        ("innings", "inning"), ("proceed", "proceed"), ("agreed", "agre"), ("hoping", "hope"), ("hopping", "hop"),
        ("cried", "cri"), ("ties", "tie"), ("gas", "gas"), ("gases", "gase"), ("happily", "happili"),
        ("fluently", "fluentli"), ("analogy", "analog"), ("sayyid", "sayyid"), ("eying", "eye"),
    ])
    func stemsLikeSnowballEnglish(_ word: String, _ stem: String) {
        #expect(EnglishStemmer.stem(word) == stem)
    }

    @Test func lettersAboveASCIICountAsConsonants() {
        #expect(EnglishStemmer.stem("naïve") == "naïv")
        #expect(EnglishStemmer.stem("aßing") == "aße")
        #expect(EnglishStemmer.stem("séing") == "séing")
    }

    @Test func dictionaryLowercasesAndDropsStopWords() {
        let analyzer = EnglishAnalyzer()
        #expect(analyzer.lexeme(of: "RUNNING", dictionary: .englishStem) == "run")
        #expect(analyzer.lexeme(of: "ÅNGSTRÖM", dictionary: .englishStem) == "ångström")
        #expect(analyzer.lexeme(of: "The", dictionary: .englishStem) == nil)
        #expect(analyzer.lexeme(of: "The", dictionary: .simple) == "the")
        // Stemming that leaves nothing keeps the word, as PostgreSQL does.
        #expect(analyzer.lexeme(of: "''s", dictionary: .englishStem) == "''s")
    }
}
