/// One token of analysed text that takes a position: a word, number, URL, ... and what it indexes as.
public struct AnalysisToken: Sendable, Hashable {
    public var kind: TokenClass
    /// UTF-8 byte offsets into the analysed text.
    public var byteRange: Range<Int>
    /// PostgreSQL's position, from 1. Stop words take one too; blanks, tags, entities and protocols do not.
    public var position: Int
    /// The lexeme it is indexed under; nil for a stop word.
    public var lexeme: Lexeme?

    public init(kind: TokenClass, byteRange: Range<Int>, position: Int, lexeme: Lexeme?) {
        self.kind = kind
        self.byteRange = byteRange
        self.position = position
        self.lexeme = lexeme
    }
}

/// The dictionaries of PostgreSQL's `english` text search configuration.
public enum TextSearchDictionary: Sendable, Hashable {
    /// `english_stem`: lowercases, drops English stop words, stems with Snowball English.
    case englishStem
    /// `simple`: lowercases.
    case simple
}

/// Analyses text exactly as PostgreSQL's `to_tsvector('english', text)` does: the default parser's tokens,
/// words through `english_stem`, numbers, hosts, URLs, emails and paths through `simple`, the rest dropped.
public struct EnglishAnalyzer: Sendable {
    /// PostgreSQL ignores tokens this many bytes long or longer ("word is too long to be indexed").
    public static let maximumTokenBytes = 2047

    public init() {}

    /// The dictionary the `english` configuration sends `kind` to (`\dF+ english`); nil for blanks, tags,
    /// entities and protocols, which take no position.
    public static func dictionary(for kind: TokenClass) -> TextSearchDictionary? {
        switch kind {
        case .asciiWord, .word, .asciiHyphenatedWord, .hyphenatedWord, .hyphenatedAsciiPart, .hyphenatedPart:
            .englishStem
        case .numWord, .numHyphenatedWord, .hyphenatedNumPart, .email, .url, .host, .urlPath, .file,
            .scientificFloat, .float, .signedInteger, .unsignedInteger, .version:
            .simple
        case .blank, .tag, .urlProtocol, .entity:
            nil
        }
    }

    /// Every positioned token of `text`, in order.
    public func analyze(_ text: String) -> [AnalysisToken] {
        var tokens: [AnalysisToken] = []
        forEachToken(in: text) { tokens.append($0) }
        return tokens
    }

    /// What `to_tsvector('english', text)` contains.
    public func vector(_ text: String) -> TextSearchVector {
        var vector = TextSearchVector()
        forEachToken(in: text) { token in
            if let lexeme = token.lexeme { vector.add(lexeme, at: token.position) }
        }
        return vector
    }

    /// Calls `body` with each positioned token of `text`, in order, without collecting them.
    public func forEachToken(in text: String, _ body: (AnalysisToken) throws -> Void) rethrows {
        var text = text
        try text.withUTF8 { bytes in
            var parsed: [ParserToken] = []
            parsed.reserveCapacity(bytes.count / 3)
            DefaultParser.tokenize(bytes, into: &parsed)
            var normalizer = LexemeNormalizer()
            var position = 0
            for token in parsed {
                guard let dictionary = Self.dictionary(for: token.kind),
                    token.byteRange.count < Self.maximumTokenBytes
                else { continue }
                position += 1
                let word = UnsafeBufferPointer(rebasing: bytes[token.byteRange])
                try body(AnalysisToken(
                    kind: token.kind, byteRange: token.byteRange, position: position,
                    lexeme: normalizer.lexeme(of: word, dictionary: dictionary)))
            }
        }
    }

    /// What `ts_lexize(dictionary, word)` returns for one word: its lexeme, or nil for a stop word.
    public func lexeme(of word: String, dictionary: TextSearchDictionary) -> Lexeme? {
        var word = word
        var normalizer = LexemeNormalizer()
        return word.withUTF8 { normalizer.lexeme(of: $0, dictionary: dictionary) }
    }
}

/// Lowercases, filters and stems words, reusing its buffers from one word to the next.
private struct LexemeNormalizer {
    var buffer: [UInt8] = []

    mutating func lexeme(of word: UnsafeBufferPointer<UInt8>, dictionary: TextSearchDictionary) -> Lexeme? {
        PostgresCharacters.lowercase(word, into: &buffer)
        switch dictionary {
        case .simple:
            return Lexeme(String(decoding: buffer, as: UTF8.self))
        case .englishStem:
            if EnglishStopWords.contains(bytes: buffer) { return nil }
            EnglishStemmer.stem(&buffer)
            // PostgreSQL keeps the word when stemming leaves nothing (`''s`).
            if buffer.isEmpty { PostgresCharacters.lowercase(word, into: &buffer) }
            return Lexeme(String(decoding: buffer, as: UTF8.self))
        }
    }
}
