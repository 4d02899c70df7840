import Foundation
public import SearchCore

/// One query of a speed workload, with its shape.
public struct BenchmarkQuery: Sendable, Hashable {
    /// term, intersection, union, phrase (from the real workload) or high-match (derived from the corpus).
    public let kind: String
    public let text: String
    /// `any` ranks documents with any of the words; `all` requires every word.
    public let match: MatchMode

    public static let workloadKinds = ["term", "intersection", "union", "phrase"]
    public static let highMatchKind = "high-match"

    public init(kind: String, text: String, match: MatchMode) {
        self.kind = kind
        self.text = text
        self.match = match
    }

    /// The real query workload: `{"query": ..., "tags": [...]}` lines, each tagged with its type. Union
    /// queries rank any-word matches; the others require every word.
    public static func loadWorkload(_ path: String) throws -> [BenchmarkQuery] {
        try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline).compactMap { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let text = object["query"] as? String, let tags = object["tags"] as? [String],
                  let kind = tags.first(where: workloadKinds.contains) else { return nil }
            return BenchmarkQuery(kind: kind, text: text, match: kind == "union" ? .any : .all)
        }
    }

    /// Queries made of a corpus's most common words, the case where `ORDER BY ts_rank` re-reads a large share
    /// of the collection: each word alone, and neighbouring pairs both AND-ed and OR-ed. They are not from the
    /// real workload, so reports list them as their own group.
    public static func highMatch(commonWords: [String]) -> [BenchmarkQuery] {
        let singles = commonWords.prefix(8).map { BenchmarkQuery(kind: highMatchKind, text: $0, match: .all) }
        let pairs = zip(commonWords, commonWords.dropFirst()).prefix(6).map { "\($0) \($1)" }
        let both = pairs.prefix(3).map { BenchmarkQuery(kind: highMatchKind, text: $0, match: .all) }
        let either = pairs.dropFirst(3).map { BenchmarkQuery(kind: highMatchKind, text: $0, match: .any) }
        return singles + both + either
    }
}
