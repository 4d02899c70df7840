/// What a search engine returned for each query of a benchmark: per query id, the documents it ranked, best first.
///
/// A ranking is kept in the engine's order: rank 1 is the first entry. ``Evaluator`` re-sorts by score as
/// trec_eval does unless asked to keep this order.
public struct Run: Sendable, Equatable {
    /// One retrieved document and the score the engine gave it.
    public struct Entry: Sendable, Equatable {
        public let documentID: String
        public let score: Double

        public init(documentID: String, score: Double) {
            self.documentID = documentID
            self.score = score
        }
    }

    /// Per query id, the retrieved documents in rank order.
    public var rankings: [String: [Entry]]

    public init(rankings: [String: [Entry]] = [:]) {
        self.rankings = rankings
    }

    /// Queries with a ranking, sorted.
    public var queryIDs: [String] { rankings.keys.sorted() }

    /// Retrieved documents for `queryID` in rank order; empty when the query has no ranking.
    public func ranking(for queryID: String) -> [Entry] {
        rankings[queryID] ?? []
    }

    /// The run as TREC run lines, `qid Q0 docid rank score tag`, queries sorted by id, ranks from 1 in the given order.
    ///
    /// trec_eval ignores the rank column and re-sorts each query by score, breaking ties by document id descending;
    /// ``Evaluator`` does the same by default (`RankingOrder.trecEval`), so its figures are trec_eval's on this file. The format has no quoting:
    /// ids must not contain whitespace; whitespace in `tag` is written as `_`, and an empty tag as `loupe`.
    public func trecFormat(tag: String) -> String {
        let safeTag = tag.isEmpty ? "loupe" : String(tag.map { $0.isWhitespace ? "_" : $0 })
        var text = ""
        for queryID in queryIDs {
            for (offset, entry) in ranking(for: queryID).enumerated() {
                text += "\(queryID) Q0 \(entry.documentID) \(offset + 1) \(entry.score) \(safeTag)\n"
            }
        }
        return text
    }

    /// Parses TREC run lines (`qid Q0 docid rank score tag`, whitespace-separated). Each query's ranking follows the
    /// rank column (file order among equal ranks); the `Q0` and tag columns are not checked. Blank lines are skipped.
    public static func parseTREC(_ text: String) throws(RunError) -> Run {
        var lines: [String: [(rank: Int, line: Int, entry: Entry)]] = [:]
        // "\r\n" is one Character in Swift, so split on any newline rather than on "\n".
        for (offset, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = offset + 1
            if line.allSatisfy(\.isWhitespace) { continue }
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard fields.count == 6 else {
                throw .malformedLine(lineNumber, "expected 6 columns (qid Q0 docid rank score tag), found \(fields.count)")
            }
            guard let rank = Int(fields[3]) else {
                throw .malformedLine(lineNumber, "rank \"\(fields[3].prefix(20))\" is not an integer")
            }
            guard let score = Double(fields[4]) else {
                throw .malformedLine(lineNumber, "score \"\(fields[4].prefix(20))\" is not a number")
            }
            let entry = Entry(documentID: String(fields[2]), score: score)
            lines[String(fields[0]), default: []].append((rank, lineNumber, entry))
        }
        return Run(rankings: lines.mapValues { ranked in
            ranked.sorted { ($0.rank, $0.line) < ($1.rank, $1.line) }.map(\.entry)
        })
    }
}

public enum RunError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedLine(Int, String)

    public var description: String {
        switch self {
        case .malformedLine(let line, let reason): "run line \(line): \(reason)"
        }
    }
}
