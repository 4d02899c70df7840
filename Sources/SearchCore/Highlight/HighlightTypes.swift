/// One word of a field's text after analysis, as the highlighter needs it.
///
/// Engines produce these from their analyzers: every word token in order (stop words included, with no
/// lexemes, because they still take a position); whitespace and punctuation are not tokens.
public struct AnalyzedToken: Sendable, Hashable {
    /// Where the word is in the field's text, as UTF-8 byte offsets.
    public var byteRange: Range<Int>
    /// What the analyzer made of the word; empty for stop words. Several for compound tokens
    /// (`e-mail` gives `e-mail`, `e`, `mail`).
    public var lexemes: [String]

    public init(byteRange: Range<Int>, lexemes: [String]) {
        self.byteRange = byteRange
        self.lexemes = lexemes
    }
}

/// What counts as a match, in analysed form, built by the engine from a `ParsedQuery`.
public struct HighlightQuery: Sendable, Hashable {
    /// Lexemes that match wherever they occur.
    public var terms: Set<String>
    /// A token matches when one of its lexemes starts with one of these.
    public var prefixes: [String]
    /// Each phrase is a run of lexemes that must occur at consecutive positions (a nil entry is a stop
    /// word: any token fills that position). Only whole occurrences are highlighted.
    public var phrases: [[String?]]

    public init(terms: Set<String> = [], prefixes: [String] = [], phrases: [[String?]] = []) {
        self.terms = terms
        self.prefixes = prefixes
        self.phrases = phrases
    }
}

/// How to cut and mark fragments.
public struct HighlightOptions: Sendable, Hashable, Codable {
    /// At most this many fragments per field.
    public var maximumFragments: Int
    /// At most this many words per fragment.
    public var fragmentWords: Int
    public var preTag: String
    public var postTag: String

    public static let limits = (fragments: 1...10, words: 1...100, tagLength: 0...64)

    public init(maximumFragments: Int = 3, fragmentWords: Int = 24, preTag: String = "<mark>", postTag: String = "</mark>") {
        self.maximumFragments = maximumFragments
        self.fragmentWords = fragmentWords
        self.preTag = preTag
        self.postTag = postTag
    }
}

/// The highlighting of one field of one hit.
public struct FieldHighlight: Sendable, Hashable, Codable {
    /// HTML-safe fragments: the text is escaped, only the tags are markup. In document order.
    public var fragments: [String]
    /// Every match in the analysed text, as half-open ranges of Unicode scalar (code point) offsets
    /// into the field's original text, in order.
    public var matches: [Range<Int>]

    public init(fragments: [String], matches: [Range<Int>]) {
        self.fragments = fragments
        self.matches = matches
    }
}
