/// One page of results.
public struct SearchPage: Sendable, Hashable, Codable {
    public var hits: [Hit]
    /// Pass back as `cursor` for the next page; nil on the last page.
    public var nextCursor: String?
    /// How many documents match in all (exact when `totalIsExact`).
    public var estimatedTotalHits: Int
    public var totalIsExact: Bool
    /// The mode actually used (`auto` resolves to `all` or `any`).
    public var matchUsed: MatchMode

    public init(hits: [Hit], nextCursor: String?, estimatedTotalHits: Int, totalIsExact: Bool, matchUsed: MatchMode) {
        self.hits = hits
        self.nextCursor = nextCursor
        self.estimatedTotalHits = estimatedTotalHits
        self.totalIsExact = totalIsExact
        self.matchUsed = matchUsed
    }
}

public struct Hit: Sendable, Hashable, Codable {
    /// The document's id, as the app gave it.
    public var id: String
    public var score: Double
    /// The stored document, as JSON text.
    public var document: String
    public var highlights: [String: FieldHighlight]
    public var explanation: ScoreExplanation?

    public init(id: String, score: Double, document: String, highlights: [String: FieldHighlight] = [:], explanation: ScoreExplanation? = nil) {
        self.id = id
        self.score = score
        self.document = document
        self.highlights = highlights
        self.explanation = explanation
    }
}

/// A BM25 score taken apart: one entry per matched term and weight class.
public struct ScoreExplanation: Sendable, Hashable, Codable {
    public struct TermPart: Sendable, Hashable, Codable {
        public var term: String
        public var idf: Double
        public var documentFrequency: Int
        /// Occurrences per weight class (A-D) and the fields mapped to that class.
        public var frequencies: [String: Int]
        /// The frequency after field weights.
        public var weightedFrequency: Double
        public var score: Double

        public init(term: String, idf: Double, documentFrequency: Int, frequencies: [String: Int], weightedFrequency: Double, score: Double) {
            self.term = term
            self.idf = idf
            self.documentFrequency = documentFrequency
            self.frequencies = frequencies
            self.weightedFrequency = weightedFrequency
            self.score = score
        }
    }

    public var terms: [TermPart]
    public var documentLength: Double
    public var averageDocumentLength: Double
    public var k1: Double
    public var b: Double
    public var total: Double

    public init(terms: [TermPart], documentLength: Double, averageDocumentLength: Double, k1: Double, b: Double, total: Double) {
        self.terms = terms
        self.documentLength = documentLength
        self.averageDocumentLength = averageDocumentLength
        self.k1 = k1
        self.b = b
        self.total = total
    }
}
