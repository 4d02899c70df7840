import Foundation
import SearchCore

/// BM25's inverse document frequency and the statistics a search scores with, gathered from a snapshot
/// exactly as the Postgres engine gathers them from its statistics tables.
enum QueryStatistics {
    /// Lucene's BM25 IDF, never negative: ln(1 + (N - df + 0.5) / (df + 0.5)).
    static func idf(documentFrequency: Int, documentCount: Int) -> Double {
        let n = Double(max(documentCount, documentFrequency)), df = Double(documentFrequency)
        return log(1 + (n - df + 0.5) / (df + 0.5))
    }

    /// Document count, average length, and the frequency of every exact query lexeme and of the most
    /// frequent expansions of each `prefix*` (`expansions` in all, at least 5 per prefix).
    static func load(_ analyzed: AnalyzedQuery, snapshot: IndexSnapshot, stopWords: Bool, expansions: Int) -> PinnedStatistics {
        var exact: Set<String> = []
        var stems: Set<String> = []
        for unit in analyzed.units {
            if unit.isPrefix, let last = unit.positions.last {
                exact.formUnion(unit.positions.dropLast().flatMap { $0 })
                stems.formUnion(last)
            } else {
                exact.formUnion(unit.lexemes)
            }
        }
        var frequencies: [String: Int] = [:]
        for lexeme in exact {
            frequencies[lexeme] = snapshot.documentFrequency(of: Array(lexeme.utf8), stopWords: stopWords)
        }
        let perStem = stems.isEmpty ? expansions : max(5, expansions / stems.count)
        for stem in stems {
            let candidates = snapshot.expansions(of: Array(stem.utf8), stopWords: stopWords)
            let best = candidates.sorted { a, b in
                a.frequency != b.frequency ? a.frequency > b.frequency : a.lexeme.lexicographicallyPrecedes(b.lexeme)
            }.prefix(perStem)
            for expansion in best {
                frequencies[String(decoding: expansion.lexeme, as: UTF8.self)] = expansion.frequency
            }
        }
        return PinnedStatistics(
            documentCount: snapshot.documentCount, averageDocumentLength: snapshot.averageLength(stopWords: stopWords),
            documentFrequencies: frequencies)
    }
}

/// One scoring lexeme: every lexeme of the statistics contributes idf * impact where a document holds it.
struct ScoringTerm: Sendable {
    let lexeme: [UInt8]
    let text: String
    let idf: Double
}

extension PinnedStatistics {
    /// Lexemes in byte order (the order scores are summed in, so every path gives identical scores).
    var scoringTerms: [ScoringTerm] {
        documentFrequencies.map { text, frequency in
            ScoringTerm(lexeme: Array(text.utf8), text: text, idf: QueryStatistics.idf(documentFrequency: frequency, documentCount: documentCount))
        }.sorted { $0.lexeme.lexicographicallyPrecedes($1.lexeme) }
    }
}
