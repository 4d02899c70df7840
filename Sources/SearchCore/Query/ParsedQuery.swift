/// A web-style query after parsing, before analysis. Units hold the words as the user typed them;
/// each engine's analyzer turns them into lexemes.
///
/// `"quick fox" OR lazy -dog pre*` parses to
/// `clauses: [[.phrase(["quick", "fox"]), .term("lazy")], [.prefix("pre")]]`, `exclusions: [.term("dog")]`.
public struct ParsedQuery: Sendable, Hashable, Codable {
    /// Positive clauses. A clause is satisfied when any of its alternatives matches (`OR`); clauses combine
    /// by the request's match mode (`all`: every clause; `any`: at least one, ranked).
    public var clauses: [QueryClause]
    /// Units a matching document must not contain (`-word`, `-"a phrase"`).
    public var exclusions: [QueryUnit]
    /// True when the parser dropped anything to stay within `QueryParser.Limits` (units, phrase words, length).
    public var truncated: Bool

    public init(clauses: [QueryClause] = [], exclusions: [QueryUnit] = [], truncated: Bool = false) {
        self.clauses = clauses
        self.exclusions = exclusions
        self.truncated = truncated
    }

    /// True when nothing positive is left to search for.
    public var isEmpty: Bool { clauses.isEmpty }

    /// Every positive unit, in query order.
    public var positiveUnits: [QueryUnit] { clauses.flatMap(\.alternatives) }
}

/// Alternatives joined by `OR`; a bare word is a clause with one alternative.
public struct QueryClause: Sendable, Hashable, Codable {
    public var alternatives: [QueryUnit]

    public init(_ alternatives: [QueryUnit]) {
        self.alternatives = alternatives
    }
}

/// One searchable unit, with its words as typed (never empty, never containing whitespace).
public enum QueryUnit: Sendable, Hashable, Codable {
    /// A bare word.
    case term(String)
    /// `word*`: any term starting with the word's analysed form.
    case prefix(String)
    /// `"several words"`: the words in this order, adjacent.
    case phrase([String])

    /// The words of the unit, as typed.
    public var words: [String] {
        switch self {
        case .term(let word), .prefix(let word): [word]
        case .phrase(let words): words
        }
    }
}
