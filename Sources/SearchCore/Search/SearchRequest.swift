/// One search, as an app asks for it. Validate with `validated()` before running it.
public struct SearchRequest: Sendable, Hashable, Codable {
    public var collection: String
    /// Web-style query text: words, `"phrases"`, `OR`, `-exclusions`, `prefix*`.
    public var query: String
    public var limit: Int
    /// `nextCursor` of the previous page; nil for the first page.
    public var cursor: String?
    public var match: MatchMode
    public var ranking: RankingFunction
    public var highlight: HighlightRequest?
    public var filters: [AttributeFilter]
    /// Order by a document attribute instead of relevance.
    public var sort: SortOrder?
    /// Return each hit's score broken down per term and field.
    public var explain: Bool

    public static let limitRange = 1...100
    public static let maximumQueryBytes = 4096
    public static let maximumFilters = 16

    public init(
        collection: String, query: String, limit: Int = 10, cursor: String? = nil, match: MatchMode = .auto,
        ranking: RankingFunction = .bm25, highlight: HighlightRequest? = nil, filters: [AttributeFilter] = [],
        sort: SortOrder? = nil, explain: Bool = false
    ) {
        self.collection = collection
        self.query = query
        self.limit = limit
        self.cursor = cursor
        self.match = match
        self.ranking = ranking
        self.highlight = highlight
        self.filters = filters
        self.sort = sort
        self.explain = explain
    }

    /// Checks every client-controlled size, so nothing a client sends can make the work huge.
    public func validated() throws(SearchError) -> SearchRequest {
        guard Self.limitRange.contains(limit) else {
            throw .invalidRequest(parameter: "limit", reason: "must be between 1 and 100")
        }
        guard query.utf8.count <= Self.maximumQueryBytes else {
            throw .invalidRequest(parameter: "q", reason: "is longer than \(Self.maximumQueryBytes) bytes")
        }
        guard !query.unicodeScalars.contains("\u{0}") else {
            throw .invalidRequest(parameter: "q", reason: "contains a NUL character")
        }
        guard filters.count <= Self.maximumFilters else {
            throw .invalidRequest(parameter: "filter", reason: "at most \(Self.maximumFilters) filters")
        }
        if let highlight { try highlight.validate() }
        return self
    }
}

/// How query clauses combine.
public enum MatchMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every clause must match.
    case all
    /// At least one clause must match; more matching clauses rank higher.
    case any
    /// `all` when that fills at least one page, otherwise `any`.
    case auto
}

public enum RankingFunction: String, Sendable, Hashable, Codable, CaseIterable {
    /// Okapi BM25 with the collection's k1, b and field weights.
    case bm25
    /// PostgreSQL's `ts_rank`, for comparison.
    case tsRank = "ts_rank"
    /// PostgreSQL's `ts_rank_cd` (cover density), for comparison.
    case tsRankCd = "ts_rank_cd"
}

/// Which fields to highlight and how.
public struct HighlightRequest: Sendable, Hashable, Codable {
    public var fields: [String]
    public var options: HighlightOptions

    public static let maximumFields = 8
    /// Stands for every searchable field of the collection.
    public static let allFields = "*"

    /// The request with `*` replaced by the collection's searchable fields.
    public func resolved(for collection: CollectionDefinition) -> HighlightRequest {
        guard fields.contains(Self.allFields) else { return self }
        var resolved = self
        resolved.fields = collection.fields.map(\.name)
        return resolved
    }

    public init(fields: [String], options: HighlightOptions = HighlightOptions()) {
        self.fields = fields
        self.options = options
    }

    func validate() throws(SearchError) {
        guard fields.count <= Self.maximumFields else {
            throw .invalidRequest(parameter: "highlight", reason: "at most \(Self.maximumFields) fields")
        }
        let limits = HighlightOptions.limits
        guard limits.fragments.contains(options.maximumFragments), limits.words.contains(options.fragmentWords),
            limits.tagLength.contains(options.preTag.utf8.count), limits.tagLength.contains(options.postTag.utf8.count)
        else {
            throw .invalidRequest(
                parameter: "highlight",
                reason: "fragments 1-10, words per fragment 1-100, tags at most 64 bytes")
        }
    }
}

/// A condition on a top-level document attribute.
public struct AttributeFilter: Sendable, Hashable, Codable {
    public enum Condition: Sendable, Hashable, Codable {
        case equals(FilterValue)
        case anyOf([FilterValue])
        /// Numbers compare numerically; strings (ISO dates) compare as text.
        case range(lower: FilterValue?, upper: FilterValue?)
    }

    public var field: String
    public var condition: Condition

    public init(field: String, condition: Condition) {
        self.field = field
        self.condition = condition
    }
}

public enum FilterValue: Sendable, Hashable, Codable {
    case string(String)
    case number(Double)
    case bool(Bool)
}

public struct SortOrder: Sendable, Hashable, Codable {
    public var field: String
    public var descending: Bool

    public init(field: String, descending: Bool) {
        self.field = field
        self.descending = descending
    }
}
