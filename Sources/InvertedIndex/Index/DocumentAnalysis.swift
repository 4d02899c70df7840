import SearchCore

/// The terms of one document as PostgreSQL's trigger would store them: per term its positions and how
/// many fall in each weight class, for the analysed text and for the stop words.
struct AnalyzedDocument {
    struct Vector {
        var lexemes: [Lexeme] = []
        /// Four per lexeme.
        var classCounts: [UInt32] = []
        /// Lexeme `i`'s positions are `positions[positionStarts[i]..<positionStarts[i + 1]]`.
        var positions: [UInt32] = []
        var positionStarts: [Int] = [0]
        /// Positions per weight class.
        var classLengths: [UInt32] = [0, 0, 0, 0]
    }

    var content = Vector()
    var stopWords = Vector()
}

/// Turns documents into `AnalyzedDocument`s for one collection: its fields in order, each field's text
/// (`document ->> field`) analysed on its own and the field vectors concatenated the way PostgreSQL's
/// `tsvector || tsvector` does it (the second vector's positions shifted by the first's largest position,
/// at most 256 positions per lexeme, positions capped at 16383).
struct DocumentAnalyzer: Sendable {
    /// The languages the in-memory engine analyses like PostgreSQL.
    static let supportedLanguages: Set<TextSearchLanguage> = [.english, .simple]

    private let fields: [(name: String, weightClass: Int)]
    private let language: TextSearchLanguage
    private let analyzer = EnglishAnalyzer()
    private var content = VectorBuilder()
    private var stopWords = VectorBuilder()
    private var stopLexemes: [[UInt8]: Lexeme] = [:]

    init(definition: CollectionDefinition) {
        fields = definition.fields.map { field in
            (field.name, FieldWeight.allCases.firstIndex(of: field.weight) ?? 0)
        }
        language = definition.language
    }

    mutating func analyze(_ body: JSONValue) -> AnalyzedDocument {
        content.reset()
        stopWords.reset()
        for field in fields {
            guard let text = body[field.name]?.textValue, !text.isEmpty else { continue }
            content.beginField()
            stopWords.beginField()
            switch language {
            case .simple:
                analyzer.forEachToken(in: text) { token in
                    let word = Self.slice(text, token.byteRange)
                    if let lexeme = analyzer.lexeme(of: word, dictionary: .simple) {
                        content.add(lexeme, at: token.position)
                    }
                }
            default:
                var bytes = text
                bytes.withUTF8 { utf8 in
                    analyzer.forEachToken(in: text) { token in
                        if let lexeme = token.lexeme {
                            content.add(lexeme, at: token.position)
                        } else {
                            stopWords.add(stopLexeme(UnsafeBufferPointer(rebasing: utf8[token.byteRange])), at: token.position)
                        }
                    }
                }
            }
            content.endField(weightClass: field.weightClass)
            stopWords.endField(weightClass: field.weightClass)
        }
        return AnalyzedDocument(content: content.finish(), stopWords: stopWords.finish())
    }

    /// A stop word as the `simple` configuration stores it: lowercased. Stop words are ASCII, so most are
    /// looked up by their bytes without building a string.
    private mutating func stopLexeme(_ word: UnsafeBufferPointer<UInt8>) -> Lexeme {
        var lowered = [UInt8](word)
        var ascii = true
        for index in lowered.indices {
            let byte = lowered[index]
            if byte >= 0x80 { ascii = false; break }
            if byte >= 0x41 && byte <= 0x5A { lowered[index] = byte + 0x20 }
        }
        if ascii, let known = stopLexemes[lowered] { return known }
        let lexeme = analyzer.lexeme(of: String(decoding: word, as: UTF8.self), dictionary: .simple)
            ?? Lexeme(String(decoding: lowered, as: UTF8.self))
        if ascii { stopLexemes[lowered] = lexeme }
        return lexeme
    }

    private static func slice(_ text: String, _ range: Range<Int>) -> String {
        let utf8 = text.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        let end = utf8.index(start, offsetBy: range.count)
        return String(decoding: utf8[start..<end], as: UTF8.self)
    }
}

/// Builds one tsvector field by field with PostgreSQL's limits.
private struct VectorBuilder: Sendable {
    static let maximumPosition: UInt32 = 16383
    static let fieldPositionsPerLexeme = 255
    static let positionsPerLexeme = 256

    private var ids: [Lexeme: Int] = [:]
    private var lexemes: [Lexeme] = []
    // Per document-local lexeme: its field count and last field position, its vector count and last position.
    private var fieldCount: [Int] = []
    private var fieldLast: [UInt32] = []
    private var vectorCount: [Int] = []
    private var vectorLast: [UInt32] = []
    private var fieldEntries: [(id: Int, position: UInt32)] = []
    private var entries: [(id: Int, position: UInt32, weightClass: Int)] = []
    private var largestPosition: UInt32 = 0

    mutating func reset() {
        ids.removeAll(keepingCapacity: true)
        lexemes.removeAll(keepingCapacity: true)
        fieldCount.removeAll(keepingCapacity: true)
        fieldLast.removeAll(keepingCapacity: true)
        vectorCount.removeAll(keepingCapacity: true)
        vectorLast.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
        largestPosition = 0
    }

    mutating func beginField() {
        fieldEntries.removeAll(keepingCapacity: true)
        for index in fieldCount.indices {
            fieldCount[index] = 0
            fieldLast[index] = 0
        }
    }

    /// `to_tsvector`'s own limits: positions capped at 16383, distinct, at most 255 per lexeme.
    mutating func add(_ lexeme: Lexeme, at position: Int) {
        let id: Int
        if let known = ids[lexeme] {
            id = known
        } else {
            id = lexemes.count
            ids[lexeme] = id
            lexemes.append(lexeme)
            fieldCount.append(0)
            fieldLast.append(0)
            vectorCount.append(0)
            vectorLast.append(0)
        }
        let stored = UInt32(min(position, Int(Self.maximumPosition)))
        guard fieldCount[id] < Self.fieldPositionsPerLexeme, fieldLast[id] != stored else { return }
        fieldCount[id] += 1
        fieldLast[id] = stored
        fieldEntries.append((id, stored))
    }

    /// `vector || setweight(field, class)`: shift by the vector's largest position, then `add_pos`'s limits.
    mutating func endField(weightClass: Int) {
        let shift = largestPosition
        for entry in fieldEntries {
            let position = min(entry.position + shift, Self.maximumPosition)
            guard vectorCount[entry.id] < Self.positionsPerLexeme,
                  vectorCount[entry.id] == 0 || vectorLast[entry.id] != Self.maximumPosition
            else { continue }
            vectorCount[entry.id] += 1
            vectorLast[entry.id] = position
            entries.append((entry.id, position, weightClass))
            largestPosition = max(largestPosition, position)
        }
    }

    func finish() -> AnalyzedDocument.Vector {
        var vector = AnalyzedDocument.Vector()
        let sorted = entries.sorted { $0.id != $1.id ? $0.id < $1.id : $0.position < $1.position }
        vector.positions.reserveCapacity(sorted.count)
        var current = -1
        for entry in sorted {
            if entry.id != current {
                if current >= 0 { vector.positionStarts.append(vector.positions.count) }
                current = entry.id
                vector.lexemes.append(lexemes[entry.id])
                vector.classCounts.append(contentsOf: [0, 0, 0, 0])
            }
            vector.positions.append(entry.position)
            vector.classCounts[vector.classCounts.count - 4 + entry.weightClass] += 1
            vector.classLengths[entry.weightClass] += 1
        }
        if current >= 0 { vector.positionStarts.append(vector.positions.count) }
        return vector
    }
}
