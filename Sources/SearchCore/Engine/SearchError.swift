/// Why an engine operation failed, in terms an API can turn into a status code.
public enum SearchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The request is malformed (400).
    case invalidRequest(parameter: String, reason: String)
    /// The cursor was tampered with, forged, expired or belongs to another query (400).
    case invalidCursor(String)
    case collectionNotFound(String)
    /// A live collection already has that name (409).
    case collectionExists(String)
    case documentNotFound(String)
    /// Settings a collection cannot take (422).
    case invalidSettings(String)
    /// The query ran past its time budget (503).
    case queryTimeout
    /// The engine cannot serve right now (503).
    case unavailable(String)

    public var description: String {
        switch self {
        case .invalidRequest(let parameter, let reason): "invalid \(parameter): \(reason)"
        case .invalidCursor(let reason): "invalid cursor: \(reason)"
        case .collectionNotFound(let name): "collection \"\(name.prefix(64))\" does not exist"
        case .collectionExists(let name): "collection \"\(name.prefix(64))\" already exists"
        case .documentNotFound(let id): "document \"\(id.prefix(64))\" does not exist"
        case .invalidSettings(let reason): reason
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
        case .collectionExists: "collection_exists"
        case .documentNotFound: "document_not_found"
        case .invalidSettings: "invalid_settings"
        case .queryTimeout: "query_timeout"
        case .unavailable: "unavailable"
        }
    }
}
