import SearchCore

/// Highlights and score explanations for the hits of one page.
enum HitDecoration {
    /// Like the Postgres engine's page highlighter: words found with `WordTokenizer` (at most
    /// `maximumBytes` of each field), and each distinct word that could match analysed on its own, with
    /// this engine's analyzer instead of a round trip.
    static func highlight(
        _ hits: inout [Hit], bodies: [JSONValue?], request: HighlightRequest, plan: SearchPlan, maximumBytes: Int
    ) {
        let query = plan.analyzed.highlightQuery
        // First letters of everything that can match: a word that starts otherwise cannot analyse to it.
        let stems = Set((query.terms + query.prefixes + query.phrases.flatMap { $0.compactMap { $0 } }).map { String($0.prefix(3)) })
        guard !stems.isEmpty else { return }
        let analyzer = EnglishAnalyzer()
        let simple = plan.stopWordsOnly || plan.snapshot.definition.language == .simple
        var lexemesByWord: [String: [String]] = [:]
        func lexemes(of word: String) -> [String] {
            if let known = lexemesByWord[word] { return known }
            var found: [String] = []
            var text = word
            text.withUTF8 { bytes in
                analyzer.forEachToken(in: word) { token in
                    if simple {
                        let piece = String(decoding: UnsafeBufferPointer(rebasing: bytes[token.byteRange]), as: UTF8.self)
                        if let lexeme = analyzer.lexeme(of: piece, dictionary: .simple) { found.append(lexeme.text) }
                    } else if let lexeme = token.lexeme {
                        found.append(lexeme.text)
                    }
                }
            }
            lexemesByWord[word] = found
            return found
        }
        for (index, body) in bodies.enumerated() {
            guard let body else { continue }
            for field in request.fields {
                guard let text = body[field]?.stringValue, !text.isEmpty else { continue }
                let ranges = WordTokenizer.words(in: text, maximumBytes: maximumBytes)
                let bytes = Array(text.utf8.prefix(ranges.last?.upperBound ?? 0))
                let tokens = ranges.map { range in
                    let word = String(decoding: bytes[range], as: UTF8.self).lowercased()
                    let candidate = stems.contains { word.hasPrefix($0) }
                    return AnalyzedToken(byteRange: range, lexemes: candidate ? lexemes(of: word) : [])
                }
                let result = Highlighter.highlight(text: text, tokens: tokens, query: query, options: request.options)
                if !result.matches.isEmpty {
                    hits[index].highlights[field] = result
                }
            }
        }
    }

    /// A hit's BM25 score taken apart per term and weight class, as the Postgres engine explains it.
    static func explain(_ match: RankedMatch, plan: SearchPlan) -> ScoreExplanation {
        let definition = plan.snapshot.definition
        let weights = definition.classWeights.values
        let statistics = plan.statistics
        let segment = plan.snapshot.segments[match.segment].segment
        let index = plan.index(of: segment)
        let classNames = ["A", "B", "C", "D"]
        var parts: [ScoreExplanation.TermPart] = []
        for term in plan.scoringTerms {
            guard let ordinal = index.dictionary.ordinal(of: term.lexeme),
                  let classes = index.classFrequencies(ofTerm: ordinal, in: match.number) else { continue }
            var counts: [String: Int] = [:]
            var weighted = 0.0
            for (weightClass, count) in classes.enumerated() where count > 0 {
                counts[classNames[weightClass]] = count
                weighted += Double(count) * weights[weightClass]
            }
            guard weighted > 0 else { continue }
            let score = term.idf * plan.scoring.impact(weightedFrequency: weighted, weightedLength: index.weightedLengths[Int(match.number)])
            parts.append(.init(
                term: term.text, idf: term.idf, documentFrequency: statistics.documentFrequencies[term.text] ?? 0,
                frequencies: counts, weightedFrequency: weighted, score: score))
        }
        return ScoreExplanation(
            terms: parts, documentLength: index.weightedLengths[Int(match.number)],
            averageDocumentLength: statistics.averageDocumentLength, k1: definition.bm25.k1, b: definition.bm25.b,
            total: parts.map(\.score).reduce(0, +))
    }
}
