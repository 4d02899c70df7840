public import Hummingbird
import NIOCore
public import SearchCore

/// JSON in and out of the API, through Loupe's strict parser: bodies with unknown members, the wrong
/// types, invalid UTF-8, NUL characters or deep nesting are refused with a clear 4xx.
enum JSONBody {
    static let limits = JSONParser.Limits(maximumDepth: 32, maximumStringBytes: 1 << 20)

    static func response(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var bytes: [UInt8] = []
        value.write(to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Reads a JSON object body of at most `limit` bytes.
    static func object(from request: Request, limit: Int) async throws -> JSONObjectReader {
        let buffer = try await request.body.collect(upTo: limit)
        let value: JSONValue
        do {
            value = try JSONParser.parse(buffer.readableBytesView, limits: limits)
        } catch {
            throw APIError.badRequest("the body is not acceptable JSON: \(error.description)", code: "invalid_json")
        }
        return try JSONObjectReader(value, path: "body")
    }
}

/// Reads members of a JSON object by name and type, and refuses members it was never asked about.
struct JSONObjectReader {
    private let members: [String: JSONValue]
    private let path: String

    init(_ value: JSONValue, path: String) throws {
        guard case .object(let members) = value else { throw APIError.badRequest("\(path) must be a JSON object") }
        self.members = members
        self.path = path
    }

    /// Call after reading every known member: any other member is an error.
    func rejectUnknown(known: Set<String>) throws {
        if let unknown = members.keys.sorted().first(where: { !known.contains($0) }) {
            throw APIError.badRequest("unknown parameter \"\(unknown.prefix(64))\" in \(path)", code: "unknown_parameter")
        }
    }

    func has(_ key: String) -> Bool { members[key].map { $0 != .null } ?? false }

    func string(_ key: String) throws -> String? {
        switch members[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw typeError(key, "a string")
        }
    }

    func int(_ key: String) throws -> Int? {
        switch members[key] {
        case nil, .null?: return nil
        case .number(let text)?:
            guard let value = Int(text) else { throw typeError(key, "an integer") }
            return value
        default: throw typeError(key, "an integer")
        }
    }

    func double(_ key: String) throws -> Double? {
        switch members[key] {
        case nil, .null?: return nil
        case .number(let text)?:
            guard let value = Double(text), value.isFinite else { throw typeError(key, "a number") }
            return value
        default: throw typeError(key, "a number")
        }
    }

    func bool(_ key: String) throws -> Bool? {
        switch members[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        default: throw typeError(key, "true or false")
        }
    }

    func array(_ key: String, maximum: Int) throws -> [JSONValue]? {
        switch members[key] {
        case nil, .null?: return nil
        case .array(let values)?:
            guard values.count <= maximum else {
                throw APIError.badRequest("\(path).\(key) has more than \(maximum) entries")
            }
            return values
        default: throw typeError(key, "an array")
        }
    }

    func object(_ key: String) throws -> JSONObjectReader? {
        switch members[key] {
        case nil, .null?: return nil
        case let value?: return try JSONObjectReader(value, path: "\(path).\(key)")
        }
    }

    func value(_ key: String) -> JSONValue? { members[key] }

    private func typeError(_ key: String, _ expected: String) -> APIError {
        APIError.badRequest("\(path).\(key) must be \(expected)")
    }
}
