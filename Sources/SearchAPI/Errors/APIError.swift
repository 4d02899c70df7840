public import Hummingbird
import NIOCore
public import SearchCore

/// Every error the API returns, in one shape: `{"error": {"code": "...", "message": "..."}}`, plus
/// per-document `details` where a batch was refused. Messages never carry SQL, stack traces or keys.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public var details: [DocumentProblem]?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, message: String, details: [DocumentProblem]? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var error: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if let details { error["details"] = .array(details.map(\.jsonValue)) }
        var response = JSONBody.response(.object(["error": .object(error)]), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    static func badRequest(_ message: String, code: String = "invalid_request") -> APIError {
        APIError(.badRequest, code: code, message: message)
    }

    static func unauthorized(_ message: String) -> APIError {
        var error = APIError(.unauthorized, code: "unauthorized", message: message)
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }

    static func forbidden(_ message: String) -> APIError {
        APIError(.forbidden, code: "forbidden", message: message)
    }
}

extension APIError {
    /// The status and code for an engine error.
    init(_ error: SearchError) {
        let status: HTTPResponse.Status = switch error {
        case .invalidRequest, .invalidCursor: .badRequest
        case .collectionNotFound, .documentNotFound: .notFound
        case .collectionExists: .conflict
        case .invalidSettings: .unprocessableContent
        case .queryTimeout, .unavailable: .serviceUnavailable
        }
        self.init(status, code: error.code, message: error.description)
    }

    /// Hummingbird's own errors (no route, body too large, ...), restated in our shape.
    init(_ error: HTTPError) {
        switch error.status {
        case .notFound: self.init(.notFound, code: "not_found", message: "no such endpoint")
        case .methodNotAllowed: self.init(.methodNotAllowed, code: "method_not_allowed", message: "the endpoint does not take this method")
        case .contentTooLarge: self.init(.contentTooLarge, code: "payload_too_large", message: "the request body is larger than the limit")
        default: self.init(error.status, code: "http_\(error.status.code)", message: error.status.reasonPhrase)
        }
    }
}

extension DocumentProblem {
    var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "index": .number(String(index)), "code": .string(code.rawValue), "message": .string(reason),
        ]
        if let line { members["line"] = .number(String(line)) }
        if let id { members["id"] = .string(id) }
        return .object(members)
    }
}
