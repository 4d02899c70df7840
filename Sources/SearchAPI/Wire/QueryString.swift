/// A URL query string split into decoded name/value pairs. Percent-escapes must decode to valid UTF-8
/// without NUL characters; anything else is a 400 rather than a silently mangled query.
struct QueryString {
    private(set) var pairs: [(name: String, value: String)] = []

    static let maximumParameters = 64

    init(_ raw: String?) throws {
        guard let raw, !raw.isEmpty else { return }
        for piece in raw.split(separator: "&", omittingEmptySubsequences: true) {
            guard pairs.count < Self.maximumParameters else {
                throw APIError.badRequest("at most \(Self.maximumParameters) query parameters")
            }
            let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try Self.decode(parts[0])
            let value = parts.count > 1 ? try Self.decode(parts[1]) : ""
            pairs.append((name, value))
        }
    }

    /// All values given for `name`, in order.
    func values(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    /// The single value of `name`; a repeated parameter is an error.
    func value(_ name: String) throws -> String? {
        let found = values(name)
        guard found.count <= 1 else { throw APIError.badRequest("parameter \"\(name)\" is given more than once") }
        return found.first
    }

    /// Refuses parameters this endpoint does not take.
    func rejectUnknown(known: Set<String>) throws {
        if let unknown = pairs.first(where: { !known.contains($0.name) }) {
            throw APIError.badRequest("unknown parameter \"\(unknown.name.prefix(64))\"", code: "unknown_parameter")
        }
    }

    static func decode(_ text: Substring) throws -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw APIError.badRequest("the query string has a malformed percent-escape")
                }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw APIError.badRequest("the query string is not valid UTF-8", code: "invalid_utf8")
        }
        guard !bytes.contains(0) else {
            throw APIError.badRequest("the query string contains a NUL character", code: "invalid_request")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
