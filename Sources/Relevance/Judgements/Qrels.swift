/// Relevance judgements: for each query, the graded relevance of the documents assessors judged.
/// Documents absent from a query's judgements count as not relevant.
public struct Qrels: Sendable, Equatable {
    public private(set) var judgements: [String: [String: Int]]

    public init(judgements: [String: [String: Int]] = [:]) {
        self.judgements = judgements
    }

    /// Queries with at least one judgement.
    public var queryIDs: [String] { judgements.keys.sorted() }

    /// Relevance grade of `documentID` for `queryID`; 0 when unjudged.
    public func grade(query queryID: String, document documentID: String) -> Int {
        judgements[queryID]?[documentID] ?? 0
    }

    /// Documents judged relevant (grade above 0) for `queryID`.
    public func relevantDocuments(for queryID: String) -> Set<String> {
        Set((judgements[queryID] ?? [:]).filter { $0.value > 0 }.keys)
    }

    /// Parses BEIR's `qrels/*.tsv` (`query-id<TAB>corpus-id<TAB>score`, with a header line) or TREC's
    /// four-column qrels (`query-id 0 doc-id grade`, whitespace-separated, no header).
    public static func parse(_ text: String) throws(QrelsError) -> Qrels {
        var qrels = Qrels()
        // "\r\n" is one Character in Swift, so split on any newline rather than on "\n".
        for (offset, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = offset + 1
            if line.allSatisfy(\.isWhitespace) { continue }
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            let query: Substring, document: Substring, gradeText: Substring
            switch fields.count {
            case 3: (query, document, gradeText) = (fields[0], fields[1], fields[2])
            case 4: (query, document, gradeText) = (fields[0], fields[2], fields[3])
            default: throw .malformedLine(lineNumber, "expected 3 (BEIR) or 4 (TREC) columns, found \(fields.count)")
            }
            guard let grade = Int(gradeText) else {
                if lineNumber == 1 { continue }  // BEIR's header: query-id corpus-id score
                throw .malformedLine(lineNumber, "relevance \"\(gradeText.prefix(20))\" is not an integer")
            }
            if let previous = qrels.judgements[String(query)]?[String(document)], previous != grade {
                throw .malformedLine(lineNumber, "query \(query) judges document \(document) twice, differently")
            }
            qrels.judgements[String(query), default: [:]][String(document)] = grade
        }
        return qrels
    }
}

public enum QrelsError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedLine(Int, String)

    public var description: String {
        switch self {
        case .malformedLine(let line, let reason): "qrels line \(line): \(reason)"
        }
    }
}
