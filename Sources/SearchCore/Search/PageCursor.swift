import Foundation

/// Computes a message authentication code (HMAC-SHA256 with a server secret, in practice). Injected so
/// SearchCore needs no crypto library and the secret stays with the application.
public protocol MessageAuthenticator: Sendable {
    func authenticationCode(for message: [UInt8]) -> [UInt8]
}

/// The statistics a page's scores were computed with. Later pages reuse them, so the scores of documents
/// that did not change stay identical and keyset paging neither repeats nor skips them.
public struct PinnedStatistics: Sendable, Hashable, Codable {
    public var documentCount: Int
    public var averageDocumentLength: Double
    public var documentFrequencies: [String: Int]

    public init(documentCount: Int, averageDocumentLength: Double, documentFrequencies: [String: Int]) {
        self.documentCount = documentCount
        self.averageDocumentLength = averageDocumentLength
        self.documentFrequencies = documentFrequencies
    }
}

/// Where the previous page ended, and what it was computed with.
public struct PageCursor: Sendable, Hashable, Codable {
    /// Ties the cursor to one query, filter set, ranking and sort.
    public var fingerprint: String
    public var matchUsed: MatchMode
    /// The last hit's sort key: its score (or sort attribute, as text) ...
    public var lastValue: String
    /// ... and its internal id, which breaks ties.
    public var lastID: String
    public var statistics: PinnedStatistics?

    public init(fingerprint: String, matchUsed: MatchMode, lastValue: String, lastID: String, statistics: PinnedStatistics?) {
        self.fingerprint = fingerprint
        self.matchUsed = matchUsed
        self.lastValue = lastValue
        self.lastID = lastID
        self.statistics = statistics
    }
}

/// Turns cursors into opaque, URL-safe, signed strings and back.
public struct PageCursorCodec: Sendable {
    public static let maximumLength = 16 * 1024
    private let authenticator: any MessageAuthenticator

    public init(authenticator: any MessageAuthenticator) {
        self.authenticator = authenticator
    }

    /// A short keyed digest of the parts of a request a cursor is bound to.
    public func fingerprint(of request: SearchRequest) -> String {
        var canonical = request
        canonical.cursor = nil
        canonical.limit = 0
        canonical.highlight = nil
        canonical.explain = false
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let bytes = (try? encoder.encode(canonical)).map(Array.init) ?? Array(request.query.utf8)
        return Base64URL.encode(Array(authenticator.authenticationCode(for: Array("fingerprint:".utf8) + bytes).prefix(16)))
    }

    public func encode(_ cursor: PageCursor) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let payload = (try? encoder.encode(cursor)).map(Array.init) ?? []
        return Base64URL.encode(payload) + "." + Base64URL.encode(authenticator.authenticationCode(for: payload))
    }

    /// Checks the signature and that the cursor belongs to `request`.
    public func decode(_ text: String, for request: SearchRequest) throws(SearchError) -> PageCursor {
        guard text.utf8.count <= Self.maximumLength else { throw .invalidCursor("it is too long") }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Base64URL.decode(parts[0]), let signature = Base64URL.decode(parts[1])
        else { throw .invalidCursor("it is not a cursor this server issued") }
        let expected = authenticator.authenticationCode(for: payload)
        guard constantTimeEqual(expected, signature) else {
            throw .invalidCursor("its signature does not match; it was altered or issued by another server")
        }
        guard let cursor = try? JSONDecoder().decode(PageCursor.self, from: Data(payload)) else {
            throw .invalidCursor("it is not a cursor this server issued")
        }
        guard cursor.fingerprint == fingerprint(of: request) else {
            throw .invalidCursor("it belongs to a different query, filter, ranking or sort")
        }
        return cursor
    }

    private func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}

/// RFC 4648 section 5 base64 without padding.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: Substring) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map(Array.init)
    }
}
