import SearchCore

/// A segment as one snapshot sees it: which of its documents are live, and how many deleted documents
/// hold each term (so document frequencies stay exact without rewriting the segment).
struct SegmentState: Sendable {
    var segment: Segment
    var live: LiveDocuments
    /// Term ordinal -> deleted documents that hold it, per index.
    var deletedContentFrequencies: [Int: Int] = [:]
    var deletedStopFrequencies: [Int: Int] = [:]

    init(segment: Segment) {
        self.segment = segment
        self.live = LiveDocuments(all: segment.documentCount)
    }

    func liveFrequency(ofTerm ordinal: Int, stopWords: Bool) -> Int {
        let index = stopWords ? segment.stopWords : segment.content
        let deleted = (stopWords ? deletedStopFrequencies : deletedContentFrequencies)[ordinal] ?? 0
        return Int(index.termFrequency[ordinal]) - deleted
    }
}

/// An immutable view of one collection's index: searches run on it while writers publish newer ones.
struct IndexSnapshot: Sendable {
    var definition: CollectionDefinition
    var segments: [SegmentState] = []
    /// Live documents.
    var documentCount = 0
    /// Positions per weight class over live documents, for the average lengths.
    var contentClassLengths = [0, 0, 0, 0]
    var stopClassLengths = [0, 0, 0, 0]

    init(definition: CollectionDefinition) {
        self.definition = definition
    }

    /// The live average of weighted document lengths (PostgreSQL's reference length after
    /// `refresh_search_impacts`).
    func averageLength(stopWords: Bool) -> Double {
        guard documentCount > 0 else { return 0 }
        let lengths = stopWords ? stopClassLengths : contentClassLengths
        let weights = definition.classWeights.values
        let weighted = weights[0] * Double(lengths[0]) + weights[1] * Double(lengths[1])
            + weights[2] * Double(lengths[2]) + weights[3] * Double(lengths[3])
        return weighted / Double(documentCount)
    }

    /// Live documents that hold `lexeme`.
    func documentFrequency(of lexeme: [UInt8], stopWords: Bool) -> Int {
        var total = 0
        for state in segments {
            let index = stopWords ? state.segment.stopWords : state.segment.content
            if let ordinal = index.dictionary.ordinal(of: lexeme) {
                total += state.liveFrequency(ofTerm: ordinal, stopWords: stopWords)
            }
        }
        return total
    }

    /// Every lexeme starting with `prefix` with its live document frequency (zero ones left out).
    func expansions(of prefix: [UInt8], stopWords: Bool) -> [(lexeme: [UInt8], frequency: Int)] {
        if segments.count == 1, let state = segments.first {
            let index = stopWords ? state.segment.stopWords : state.segment.content
            return index.dictionary.range(withPrefix: prefix).compactMap { ordinal in
                let frequency = state.liveFrequency(ofTerm: ordinal, stopWords: stopWords)
                return frequency > 0 ? (index.dictionary.term(at: ordinal), frequency) : nil
            }
        }
        var frequencies: [[UInt8]: Int] = [:]
        for state in segments {
            let index = stopWords ? state.segment.stopWords : state.segment.content
            for ordinal in index.dictionary.range(withPrefix: prefix) {
                frequencies[index.dictionary.term(at: ordinal), default: 0] += state.liveFrequency(ofTerm: ordinal, stopWords: stopWords)
            }
        }
        return frequencies.filter { $0.value > 0 }.map { ($0.key, $0.value) }
    }

    /// Where the live document with the app's id `identifier` is.
    func locate(_ identifier: String) -> (segment: Int, number: UInt32)? {
        for (index, state) in segments.enumerated().reversed() {
            if let number = state.segment.numbers[identifier], state.live.contains(number) { return (index, number) }
        }
        return nil
    }

    var postingCount: Int { segments.reduce(0) { $0 + $1.segment.postingCount } }
}
