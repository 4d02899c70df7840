import SearchCore

/// Takes a hit's BM25 score apart per term and weight class, from its stored vector, with the same
/// formula as the SQL function `bm25_score`.
enum ScoreExplainer {
    static func explain(vector: String, classLengths: [Int], plan: SearchPlan) -> ScoreExplanation {
        let definition = plan.collection.definition
        let weights = definition.classWeights.values
        let k1 = definition.bm25.k1, b = definition.bm25.b
        let statistics = plan.statistics
        let length = zip(classLengths, weights).map { Double($0) * $1 }.reduce(0, +)
        let average = max(statistics.averageDocumentLength, 1e-9)
        var parts: [ScoreExplanation.TermPart] = []
        for (lexeme, classes) in TSVectorText.parse(vector) {
            guard let frequency = statistics.documentFrequencies[lexeme] else { continue }
            let classNames = ["A", "B", "C", "D"]
            var counts: [String: Int] = [:]
            var weighted = 0.0
            for (index, count) in classes.enumerated() where count > 0 {
                counts[classNames[index]] = count
                weighted += Double(count) * weights[index]
            }
            guard weighted > 0 else { continue }
            let idf = Bm25.idf(documentFrequency: frequency, documentCount: statistics.documentCount)
            let score = idf * weighted * (k1 + 1) / (weighted + k1 * (1 - b + b * length / average))
            parts.append(.init(term: lexeme, idf: idf, documentFrequency: frequency, frequencies: counts,
                               weightedFrequency: weighted, score: score))
        }
        return ScoreExplanation(
            terms: parts, documentLength: length, averageDocumentLength: statistics.averageDocumentLength,
            k1: k1, b: b, total: parts.map(\.score).reduce(0, +))
    }
}

/// Reads PostgreSQL's text form of a tsvector: `'fox':2A,7 'quick':1A`.
enum TSVectorText {
    /// Each lexeme with its position count per weight class (A, B, C, D; unmarked positions are D).
    static func parse(_ text: String) -> [(String, [Int])] {
        var entries: [(String, [Int])] = []
        var scalars = Substring(text).unicodeScalars[...]
        while let quote = scalars.firstIndex(of: "'") {
            scalars = scalars[scalars.index(after: quote)...]
            var lexeme = String.UnicodeScalarView()
            // Inside quotes: '' is a quote, a backslash escapes the next character.
            while let scalar = scalars.first {
                scalars = scalars.dropFirst()
                if scalar == "\\", let next = scalars.first {
                    lexeme.append(next)
                    scalars = scalars.dropFirst()
                } else if scalar == "'" {
                    if scalars.first == "'" {
                        lexeme.append("'")
                        scalars = scalars.dropFirst()
                    } else {
                        break
                    }
                } else {
                    lexeme.append(scalar)
                }
            }
            var counts = [0, 0, 0, 0]
            if scalars.first == ":" {
                let end = scalars.firstIndex(of: " ") ?? scalars.endIndex
                for position in String(scalars[scalars.index(after: scalars.startIndex)..<end]).split(separator: ",") {
                    switch position.last {
                    case "A": counts[0] += 1
                    case "B": counts[1] += 1
                    case "C": counts[2] += 1
                    default: counts[3] += 1
                    }
                }
                scalars = scalars[end...]
            }
            entries.append((String(lexeme), counts))
        }
        return entries
    }
}
