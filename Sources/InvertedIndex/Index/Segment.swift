import SearchCore

/// An immutable batch of documents with its two inverted indexes. Documents are numbered 0..<count inside
/// the segment; deletions are not recorded here but in the snapshot that holds the segment.
final class Segment: Sendable {
    let content: PostingsIndex
    let stopWords: PostingsIndex
    /// The two indexes' champion lists, chosen under the BM25 settings the segment was made or loaded with.
    let contentChampions: ChampionLists
    let stopChampions: ChampionLists
    /// The app's ids, by document number.
    let identifiers: [String]
    /// The stored documents as JSON text, by document number.
    let documents: [String]
    let numbers: [String: UInt32]

    var documentCount: Int { identifiers.count }

    convenience init(content: PostingsIndex, stopWords: PostingsIndex, identifiers: [String], documents: [String], bm25: Bm25Parameters) {
        var numbers: [String: UInt32] = [:]
        numbers.reserveCapacity(identifiers.count)
        for (number, identifier) in identifiers.enumerated() { numbers[identifier] = UInt32(number) }
        self.init(content: content, stopWords: stopWords, identifiers: identifiers, documents: documents, numbers: numbers, bm25: bm25)
    }

    private init(
        content: PostingsIndex, stopWords: PostingsIndex, identifiers: [String], documents: [String], numbers: [String: UInt32],
        bm25: Bm25Parameters
    ) {
        self.content = content
        self.stopWords = stopWords
        contentChampions = ChampionLists(index: content, bm25: bm25)
        stopChampions = ChampionLists(index: stopWords, bm25: bm25)
        self.identifiers = identifiers
        self.documents = documents
        self.numbers = numbers
    }

    /// The same segment with champion lists chosen under other BM25 settings.
    func choosingChampions(for bm25: Bm25Parameters) -> Segment {
        Segment(content: content, stopWords: stopWords, identifiers: identifiers, documents: documents, numbers: numbers, bm25: bm25)
    }

    /// Total postings in the analysed-text index, for memory figures.
    var postingCount: Int { content.termFrequency.reduce(0) { $0 + Int($1) } }
}

/// Writes one segment from analysed documents, or from the live documents of older segments (a merge).
struct SegmentBuilder {
    private var content = PostingsAccumulator()
    private var stopWords = PostingsAccumulator()
    private var identifiers: [String] = []
    private var documents: [String] = []
    private var contentLengths: [UInt32] = []
    private var stopLengths: [UInt32] = []
    private let classWeights: [Double]
    private let bm25: Bm25Parameters

    init(definition: CollectionDefinition) {
        classWeights = definition.classWeights.values
        bm25 = definition.bm25
    }

    var documentCount: Int { identifiers.count }

    mutating func add(id: String, json: String, analyzed: AnalyzedDocument) {
        let number = UInt32(identifiers.count)
        identifiers.append(id)
        documents.append(json)
        Self.add(analyzed.content, as: number, to: &content)
        Self.add(analyzed.stopWords, as: number, to: &stopWords)
        contentLengths.append(contentsOf: analyzed.content.classLengths)
        stopLengths.append(contentsOf: analyzed.stopWords.classLengths)
    }

    private static func add(_ vector: AnalyzedDocument.Vector, as number: UInt32, to accumulator: inout PostingsAccumulator) {
        for (index, lexeme) in vector.lexemes.enumerated() {
            accumulator.add(
                lexeme, document: number, classCounts: Array(vector.classCounts[(index * 4)..<(index * 4 + 4)]),
                positions: vector.positions[vector.positionStarts[index]..<vector.positionStarts[index + 1]])
        }
    }

    /// Appends the live documents of `segment`, in order, copying their postings without re-analysis.
    mutating func append(_ segment: Segment, live: LiveDocuments) {
        var renumbered = [UInt32](repeating: UInt32.max, count: segment.documentCount)
        for number in 0..<segment.documentCount where live.contains(UInt32(number)) {
            renumbered[number] = UInt32(identifiers.count)
            identifiers.append(segment.identifiers[number])
            documents.append(segment.documents[number])
            contentLengths.append(contentsOf: segment.content.classLengths[(number * 4)..<(number * 4 + 4)])
            stopLengths.append(contentsOf: segment.stopWords.classLengths[(number * 4)..<(number * 4 + 4)])
        }
        Self.copy(segment.content, renumbered: renumbered, to: &content)
        Self.copy(segment.stopWords, renumbered: renumbered, to: &stopWords)
    }

    private static func copy(_ index: PostingsIndex, renumbered: [UInt32], to accumulator: inout PostingsAccumulator) {
        var positions: [UInt32] = []
        for term in 0..<index.termCount {
            let lexeme = Lexeme(index.dictionary.string(at: term))
            let cursor = PostingsCursor(index: index, term: term)
            while !cursor.isExhausted {
                let number = renumbered[Int(cursor.document)]
                if number != UInt32.max {
                    cursor.currentPositions(into: &positions)
                    accumulator.add(
                        lexeme, document: number, classCounts: cursor.currentClassFrequencies().map { UInt32($0) },
                        positions: positions[...])
                }
                cursor.next()
            }
        }
    }

    func build() -> Segment {
        Segment(
            content: content.build(classLengths: contentLengths, classWeights: classWeights),
            stopWords: stopWords.build(classLengths: stopLengths, classWeights: classWeights),
            identifiers: identifiers, documents: documents, bm25: bm25)
    }
}

/// Which documents of a segment are live: a bit per document, copied on write.
struct LiveDocuments: Sendable, Hashable {
    private(set) var words: [UInt64]
    private(set) var count: Int

    init(all documentCount: Int) {
        words = [UInt64](repeating: ~0, count: (documentCount + 63) / 64)
        if documentCount % 64 != 0, !words.isEmpty {
            words[words.count - 1] = (1 << UInt64(documentCount % 64)) - 1
        }
        count = documentCount
    }

    @inline(__always)
    func contains(_ document: UInt32) -> Bool {
        let index = Int(document >> 6)
        return index < words.count && words[index] & (1 << UInt64(document & 63)) != 0
    }

    /// Marks `document` deleted; false when it already was.
    mutating func remove(_ document: UInt32) -> Bool {
        guard contains(document) else { return false }
        words[Int(document >> 6)] &= ~(1 << UInt64(document & 63))
        count -= 1
        return true
    }
}
