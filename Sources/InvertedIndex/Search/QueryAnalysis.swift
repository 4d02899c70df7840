import SearchCore

/// A query unit after analysis: lexeme alternatives per position, with stop words as holes.
struct AnalyzedUnit: Sendable, Hashable {
    /// Never empty, never starting or ending with a hole (an empty position).
    var positions: [[String]]
    var isPrefix: Bool
    /// True when the user quoted it; a single word that analyses to several positions (`e-mail`) is not.
    var isQuotedPhrase: Bool

    var lexemes: [String] { positions.flatMap { $0 } }
}

/// A parsed query with every unit analysed the way the Postgres engine analyses it (`ts_debug` word by word).
struct AnalyzedQuery: Sendable, Hashable {
    var clauses: [[AnalyzedUnit]]
    var exclusions: [AnalyzedUnit]

    var isEmpty: Bool { clauses.isEmpty }
    var units: [AnalyzedUnit] { clauses.flatMap { $0 } }

    /// `simple` lowercases every word; otherwise the collection's language (`english`) stems and drops stop words.
    static func analyze(_ parsed: ParsedQuery, simple: Bool) -> AnalyzedQuery {
        let analyzer = EnglishAnalyzer()
        func positions(of word: String) -> [[String]] {
            var result: [[String]] = []
            var text = word
            text.withUTF8 { bytes in
                analyzer.forEachToken(in: word) { token in
                    if simple {
                        let piece = String(decoding: UnsafeBufferPointer(rebasing: bytes[token.byteRange]), as: UTF8.self)
                        result.append(analyzer.lexeme(of: piece, dictionary: .simple).map { [$0.text] } ?? [])
                    } else {
                        result.append(token.lexeme.map { [$0.text] } ?? [])
                    }
                }
            }
            return result
        }
        func analyze(_ unit: QueryUnit) -> AnalyzedUnit? {
            var result: [[String]] = []
            for word in unit.words {
                var wordPositions = positions(of: word)
                // A prefix that is a stop word ("the*") still means "words starting with the".
                if case .prefix = unit, wordPositions.allSatisfy(\.isEmpty) {
                    wordPositions = [[word.lowercased()]]
                }
                result.append(contentsOf: wordPositions)
            }
            while result.first?.isEmpty == true { result.removeFirst() }
            while result.last?.isEmpty == true { result.removeLast() }
            guard !result.isEmpty else { return nil }
            switch unit {
            case .term: return AnalyzedUnit(positions: result, isPrefix: false, isQuotedPhrase: false)
            case .prefix: return AnalyzedUnit(positions: result, isPrefix: true, isQuotedPhrase: false)
            case .phrase: return AnalyzedUnit(positions: result, isPrefix: false, isQuotedPhrase: true)
            }
        }
        var clauses: [[AnalyzedUnit]] = []
        for clause in parsed.clauses {
            let analyzed = clause.alternatives.compactMap(analyze)
            if !analyzed.isEmpty { clauses.append(analyzed) }
        }
        return AnalyzedQuery(clauses: clauses, exclusions: parsed.exclusions.compactMap(analyze))
    }

    /// What the highlighter marks: single words anywhere, prefixes, and quoted phrases only as a whole.
    var highlightQuery: HighlightQuery {
        var query = HighlightQuery()
        for unit in units {
            if unit.isQuotedPhrase {
                query.phrases.append(unit.positions.map { $0.first })
            } else if unit.isPrefix {
                query.terms.formUnion(unit.positions.dropLast().flatMap { $0 })
                query.prefixes.append(contentsOf: unit.positions.last ?? [])
            } else {
                query.terms.formUnion(unit.lexemes)
            }
        }
        return query
    }
}
