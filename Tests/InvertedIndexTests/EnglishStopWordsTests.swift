import Foundation
import InvertedIndex
import Testing

@Suite struct EnglishStopWordsTests {
    /// The list must be exactly PostgreSQL's, or the two engines would disagree on which terms exist.
    @Test func matchesPostgresStopWordFile() throws {
        let root = URL(fileURLWithPath: "/usr/share/postgresql")
        let versions = try FileManager.default.contentsOfDirectory(atPath: root.path).compactMap(Int.init).sorted(by: >)
        let version = try #require(versions.first, "PostgreSQL's share folder is missing; the test script installs it")
        let file = root.appendingPathComponent("\(version)/tsearch_data/english.stop")
        let words = try String(contentsOf: file, encoding: .utf8)
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        #expect(EnglishStopWords.words == Set(words))
        #expect(EnglishStopWords.words.count == 127)
    }

    @Test func containsIsCaseSensitiveOnLowercasedInput() {
        #expect(EnglishStopWords.contains("the"))
        #expect(EnglishStopWords.contains("don"))
        #expect(!EnglishStopWords.contains("The"))
        #expect(!EnglishStopWords.contains("search"))
    }
}
