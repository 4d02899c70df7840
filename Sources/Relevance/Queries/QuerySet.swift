import Foundation

/// The queries of a benchmark: per query id, the text to search for.
public struct QuerySet: Sendable, Equatable {
    /// Per query id, the text.
    public private(set) var texts: [String: String]

    public init(texts: [String: String] = [:]) {
        self.texts = texts
    }

    /// Query ids, sorted.
    public var queryIDs: [String] { texts.keys.sorted() }

    /// Text of `queryID`; nil when the set has no such query.
    public func text(for queryID: String) -> String? {
        texts[queryID]
    }

    /// Parses BEIR's `queries.jsonl`: one `{"_id": ..., "text": ...}` object a line, `_id` a string or a number;
    /// other keys (`metadata`) are ignored, blank lines skipped.
    public static func parseBEIR(jsonl: String) throws(QuerySetError) -> QuerySet {
        let decoder = JSONDecoder()
        var set = QuerySet()
        // "\r\n" is one Character in Swift, so split on any newline rather than on "\n".
        for (offset, line) in jsonl.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = offset + 1
            if line.allSatisfy(\.isWhitespace) { continue }
            let query: BEIRQueryLine
            do {
                query = try decoder.decode(BEIRQueryLine.self, from: Data(line.utf8))
            } catch let problem as BEIRQueryLine.Problem {
                throw .malformedLine(lineNumber, problem.reason)
            } catch DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty {
                throw .malformedLine(lineNumber, "expected a JSON object")
            } catch {
                throw .malformedLine(lineNumber, "not valid JSON")
            }
            if let previous = set.texts[query.id], previous != query.text {
                throw .malformedLine(lineNumber, "query \(query.id.prefix(40)) appears twice with different text")
            }
            set.texts[query.id] = query.text
        }
        return set
    }
}

/// One line of BEIR's `queries.jsonl`, decoded with reasons a person can act on.
private struct BEIRQueryLine: Decodable {
    struct Problem: Error {
        let reason: String
    }

    private enum CodingKeys: String, CodingKey {
        case id = "_id"
        case text
    }

    let id: String
    let text: String

    init(from decoder: any Decoder) throws {
        let object = try decoder.container(keyedBy: CodingKeys.self)
        guard object.contains(.id) else { throw Problem(reason: "missing \"_id\"") }
        if let string = try? object.decode(String.self, forKey: .id) {
            id = string
        } else if let integer = try? object.decode(Int64.self, forKey: .id) {
            id = String(integer)
        } else if let number = try? object.decode(Double.self, forKey: .id), number.isFinite, number.rounded() != number {
            id = String(number)
        } else {
            // Integers beyond Int64 would come back rounded from Double and match the wrong qrels.
            throw Problem(reason: "\"_id\" must be a string or a number that fits in 64 bits")
        }
        guard object.contains(.text) else { throw Problem(reason: "missing \"text\"") }
        guard let text = try? object.decode(String.self, forKey: .text) else {
            throw Problem(reason: "\"text\" must be a string")
        }
        self.text = text
    }
}

public enum QuerySetError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedLine(Int, String)

    public var description: String {
        switch self {
        case .malformedLine(let line, let reason): "queries line \(line): \(reason)"
        }
    }
}
