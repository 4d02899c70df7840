/// Reads web-style queries (`"a phrase" OR word -excluded pre*`) into a `ParsedQuery`.
///
/// Parsing never fails: stray operators and unbalanced quotes degrade to the closest sensible reading.
/// Words keep their case and inner punctuation; each engine's analyzer normalises and splits them.
public enum QueryParser {
    /// Bounds that keep one query's cost predictable; whatever lies beyond them is dropped and
    /// `ParsedQuery.truncated` set.
    public struct Limits: Sendable, Hashable {
        /// Positive units plus exclusions kept, in query order.
        public var maximumUnits: Int
        /// Words kept in one phrase.
        public var maximumPhraseWords: Int
        /// Unicode scalars of input read.
        public var maximumLength: Int

        public static let `default` = Limits()

        public init(maximumUnits: Int = 32, maximumPhraseWords: Int = 16, maximumLength: Int = 1024) {
            self.maximumUnits = maximumUnits
            self.maximumPhraseWords = maximumPhraseWords
            self.maximumLength = maximumLength
        }
    }

    /// Never fails, never traps, whatever the input.
    public static func parse(_ text: String, limits: Limits = .default) -> ParsedQuery {
        let scalars = text.unicodeScalars
        let end =
            scalars.index(scalars.startIndex, offsetBy: max(0, limits.maximumLength), limitedBy: scalars.endIndex)
            ?? scalars.endIndex
        let maximumPhraseWords = max(0, limits.maximumPhraseWords)
        var assembler = QueryAssembler(maximumUnits: max(0, limits.maximumUnits))
        assembler.truncated = end != scalars.endIndex
        for token in scan(scalars[..<end]) {
            if let piece = piece(from: token, maximumPhraseWords: maximumPhraseWords, truncated: &assembler.truncated) {
                assembler.add(piece)
            }
        }
        return ParsedQuery(clauses: assembler.clauses, exclusions: assembler.exclusions, truncated: assembler.truncated)
    }
}

// MARK: - Scanning

extension QueryParser {
    /// What the scanner sees before cleaning: a whitespace-delimited word, or the words between quotes.
    private enum Token {
        case word([Unicode.Scalar])
        case quoted([[Unicode.Scalar]], excluded: Bool)
    }

    /// A cleaned unit, or an `OR` waiting for the units on both sides.
    fileprivate enum Piece {
        case or
        case unit(QueryUnit, excluded: Bool)
    }

    /// Splits the input into words and quoted runs; an unbalanced quote runs to the end of the input.
    private static func scan(_ scalars: Substring.UnicodeScalarView) -> [Token] {
        var tokens: [Token] = []
        var word: [Unicode.Scalar] = []
        var phrase: [[Unicode.Scalar]]?  // non-nil between quotes
        var phraseExcluded = false

        func endWord() {
            guard !word.isEmpty else { return }
            if phrase != nil { phrase?.append(word) } else { tokens.append(.word(word)) }
            word.removeAll(keepingCapacity: true)
        }

        for scalar in scalars {
            if isQuote(scalar) {
                if phrase != nil {
                    endWord()
                    tokens.append(.quoted(phrase ?? [], excluded: phraseExcluded))
                    phrase = nil
                } else {
                    // Signs glued to the opening quote (`-"a phrase"`, `+"a phrase"`) belong to the phrase.
                    if !word.isEmpty, word.allSatisfy(isSign) {
                        phraseExcluded = word.contains("-")
                        word.removeAll(keepingCapacity: true)
                    } else {
                        phraseExcluded = false
                        endWord()
                    }
                    phrase = []
                }
            } else if isSeparator(scalar) {
                endWord()
            } else {
                word.append(scalar)
            }
        }
        endWord()
        if let phrase { tokens.append(.quoted(phrase, excluded: phraseExcluded)) }
        return tokens
    }

    /// Reads operators and signs, cleans words, and applies the phrase-length limit; nil when nothing is left.
    private static func piece(from token: Token, maximumPhraseWords: Int, truncated: inout Bool) -> Piece? {
        switch token {
        case .word(let scalars):
            if scalars == ["O", "R"] || scalars == ["|"] { return .or }
            // `--word` reads as `-word`; a leading `+` means nothing.
            let signs = scalars.prefix(while: isSign)
            guard let word = cleanWord(scalars.dropFirst(signs.count)) else { return nil }
            return .unit(word.isPrefix ? .prefix(word.text) : .term(word.text), excluded: signs.contains("-"))
        case .quoted(let rawWords, let excluded):
            var words = rawWords.compactMap { cleanWord($0[...])?.text }
            if words.count > maximumPhraseWords {
                words.removeLast(words.count - maximumPhraseWords)
                truncated = true
            }
            switch words.count {
            case 0: return nil
            case 1: return .unit(.term(words[0]), excluded: excluded)
            default: return .unit(.phrase(words), excluded: excluded)
            }
        }
    }

    /// Trims punctuation that cannot belong to a search term and drops `*` inside the word. A `*` among the
    /// trimmed trailing scalars makes the word a prefix. Nil when nothing searchable is left.
    private static func cleanWord(_ scalars: ArraySlice<Unicode.Scalar>) -> (text: String, isPrefix: Bool)? {
        guard let first = scalars.firstIndex(where: isWordBase),
            var last = scalars.lastIndex(where: { isWordBase($0) || isAttached($0) })
        else { return nil }
        // `c++`, `c#`: a `+` or `#` right after a letter is part of the name.
        if isLetter(scalars[last]) {
            while last + 1 < scalars.endIndex, scalars[last + 1] == "+" || scalars[last + 1] == "#" { last += 1 }
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[first...last].lazy.filter { $0 != "*" })
        return (text, scalars[(last + 1)...].contains("*"))
    }
}

// MARK: - Scalar classes

extension QueryParser {
    /// `"`, the curly pair, the low German opening quote, and the full-width quote CJK keyboards type.
    private static func isQuote(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "\"", "\u{201C}", "\u{201D}", "\u{201E}", "\u{FF02}": true
        default: false
        }
    }

    private static func isSign(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "-" || scalar == "+"
    }

    /// Whitespace, control characters and scalars that carry no text all split words.
    private static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        if properties.isWhitespace || properties.isNoncharacterCodePoint || scalar == "\u{FFFD}" { return true }
        switch properties.generalCategory {
        case .control, .surrogate, .privateUse, .unassigned, .spaceSeparator, .lineSeparator, .paragraphSeparator:
            return true
        case .format:
            // Joiners shape emoji sequences and Persian words; bidi marks, BOMs and the like are invisible noise.
            return !isJoiner(scalar) && !isEmojiTag(scalar)
        default:
            return false
        }
    }

    /// Scalars a word can start and end with: letters, digits and symbols such as emoji.
    private static func isWordBase(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber, .otherSymbol:
            return !scalar.properties.isEmojiModifier
        default:
            return false
        }
    }

    /// Scalars that only modify the one before them, so a word may end with them but not start with one.
    private static func isAttached(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: scalar.properties.isEmojiModifier || isEmojiTag(scalar)
        }
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
        default: false
        }
    }

    /// Zero-width joiner and non-joiner.
    private static func isJoiner(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\u{200D}" || scalar == "\u{200C}"
    }

    /// Tag characters that spell subdivision flags such as England's.
    private static func isEmojiTag(_ scalar: Unicode.Scalar) -> Bool {
        ("\u{E0020}"..."\u{E007F}").contains(scalar)
    }
}

// MARK: - Assembly

/// Groups units into clauses and exclusions, dropping duplicates and anything beyond the unit limit.
private struct QueryAssembler {
    let maximumUnits: Int
    var clauses: [QueryClause] = []
    var exclusions: [QueryUnit] = []
    var truncated = false
    private var unitCount = 0
    private var lastClauseUnits: Set<QueryUnit> = []
    private var excluded: Set<QueryUnit> = []
    /// True while the last unit was positive: an `OR` can then join the next unit to its clause.
    private var canJoin = false
    private var pendingOr = false

    init(maximumUnits: Int) {
        self.maximumUnits = maximumUnits
    }

    mutating func add(_ piece: QueryParser.Piece) {
        switch piece {
        case .or:
            pendingOr = true
        case .unit(let unit, excluded: true):
            // `a OR -b` cannot be expressed; the exclusion wins and the OR is dropped.
            canJoin = false
            pendingOr = false
            guard !excluded.contains(unit), take() else { return }
            excluded.insert(unit)
            exclusions.append(unit)
        case .unit(let unit, excluded: false):
            let joins = canJoin && pendingOr && !clauses.isEmpty
            canJoin = true
            pendingOr = false
            if joins {
                guard !lastClauseUnits.contains(unit), take() else { return }
                lastClauseUnits.insert(unit)
                clauses[clauses.count - 1].alternatives.append(unit)
            } else {
                guard take() else { return }
                lastClauseUnits = [unit]
                clauses.append(QueryClause([unit]))
            }
        }
    }

    /// Counts one more unit; false, and marks the query truncated, when the limit is reached.
    private mutating func take() -> Bool {
        guard unitCount < maximumUnits else {
            truncated = true
            return false
        }
        unitCount += 1
        return true
    }
}
