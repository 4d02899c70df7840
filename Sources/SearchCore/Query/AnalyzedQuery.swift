/// A query unit after analysis: lexeme alternatives per position, with stop words as holes.
public struct AnalyzedUnit: Sendable, Hashable {
    /// Never empty, never starting or ending with a hole (an empty position).
    public var positions: [[String]]
    public var isPrefix: Bool
    /// True when the user quoted it; a single word that analyses to several positions (`e-mail`) is not.
    public var isQuotedPhrase: Bool

    public init(positions: [[String]], isPrefix: Bool, isQuotedPhrase: Bool) {
        self.positions = positions
        self.isPrefix = isPrefix
        self.isQuotedPhrase = isQuotedPhrase
    }

    public var lexemes: [String] { positions.flatMap { $0 } }
}

/// A parsed query with every unit analysed by the collection's analysis. Both engines build it the same
/// way (`assemble`); they differ only in how one word is analysed.
public struct AnalyzedQuery: Sendable, Hashable {
    public var clauses: [[AnalyzedUnit]]
    public var exclusions: [AnalyzedUnit]

    public init(clauses: [[AnalyzedUnit]], exclusions: [AnalyzedUnit]) {
        self.clauses = clauses
        self.exclusions = exclusions
    }

    public var isEmpty: Bool { clauses.isEmpty }
    public var units: [AnalyzedUnit] { clauses.flatMap { $0 } }

    /// Builds the analysed query. `positions` is called once per word, in order (clauses' alternatives,
    /// then exclusions), and gives the word's positions: lexeme alternatives, or [] for a stop word.
    public static func assemble(_ parsed: ParsedQuery, positions: (String) throws -> [[String]]) rethrows -> AnalyzedQuery {
        func analyze(_ unit: QueryUnit) throws -> AnalyzedUnit? {
            var result: [[String]] = []
            for word in unit.words {
                var wordPositions = try positions(word)
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
            let analyzed = try clause.alternatives.compactMap(analyze)
            if !analyzed.isEmpty { clauses.append(analyzed) }
        }
        return AnalyzedQuery(clauses: clauses, exclusions: try parsed.exclusions.compactMap(analyze))
    }

    /// What the highlighter marks: single words anywhere, prefixes, and quoted phrases only as a whole.
    public var highlightQuery: HighlightQuery {
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
