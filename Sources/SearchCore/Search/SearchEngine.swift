/// What both engines (PostgreSQL and the in-memory index) offer.
public protocol SearchEngine: Sendable {
    func search(_ request: SearchRequest) async throws(SearchError) -> SearchPage
}

/// Why a search failed, in terms an API can turn into a status code.
public enum SearchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The request is malformed (400).
    case invalidRequest(parameter: String, reason: String)
    /// The cursor was tampered with, forged, expired or belongs to another query (400).
    case invalidCursor(String)
    case collectionNotFound(String)
    /// The query ran past its time budget (503).
    case queryTimeout
    /// The engine cannot serve right now (503).
    case unavailable(String)

    public var description: String {
        switch self {
        case .invalidRequest(let parameter, let reason): "invalid \(parameter): \(reason)"
        case .invalidCursor(let reason): "invalid cursor: \(reason)"
        case .collectionNotFound(let name): "collection \"\(name.prefix(64))\" does not exist"
        case .queryTimeout: "the query took too long and was stopped"
        case .unavailable(let reason): "search is unavailable: \(reason)"
        }
    }

    /// A stable machine-readable code.
    public var code: String {
        switch self {
        case .invalidRequest: "invalid_request"
        case .invalidCursor: "invalid_cursor"
        case .collectionNotFound: "collection_not_found"
        case .queryTimeout: "query_timeout"
        case .unavailable: "unavailable"
        }
    }
}
