/// A document as an app sends it: a JSON object with an id.
public struct SourceDocument: Sendable, Hashable {
    /// The app's id for the document (from `id`, or `_id` as in BEIR corpora).
    public let id: String
    /// The whole object, id included.
    public let body: JSONValue
    /// The document as compact JSON text (keys sorted).
    public let json: String

    /// The keys an id is read from, in order of preference.
    public static let idKeys = ["id", "_id"]
    public static let maximumIDBytes = 512

    /// Checks shape and id; `index` and `line` only label the problem.
    public init(_ value: JSONValue, idKeys: [String] = Self.idKeys) throws(DocumentProblem.Code) {
        guard case .object = value else { throw .notAnObject }
        guard let raw = idKeys.lazy.compactMap({ value[$0] }).first else { throw .missingID }
        let id: String
        switch raw {
        case .string(let text): id = text
        case .number(let text) where !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }): id = text
        default: throw .invalidID
        }
        guard (1...Self.maximumIDBytes).contains(id.utf8.count) else { throw .invalidID }
        self.id = id
        self.body = value
        self.json = value.serialized()
    }
}

/// What was wrong with one document of a batch.
public struct DocumentProblem: Error, Sendable, Hashable, Codable {
    public enum Code: String, Error, Sendable, Hashable, Codable {
        case invalidJSON = "invalid_json"
        case invalidUTF8 = "invalid_utf8"
        case nulCharacter = "nul_character"
        case tooDeep = "too_deep"
        case notAnObject = "not_an_object"
        case missingID = "missing_id"
        case invalidID = "invalid_id"
        case duplicateID = "duplicate_id"
        case fieldTooLarge = "field_too_large"
        case documentTooLarge = "document_too_large"
        /// PostgreSQL's limits on one tsvector: 1 MB, 16,383 positions per lexeme.
        case vectorTooLarge = "vector_too_large"
    }

    /// Position of the document in the request, from 0.
    public var index: Int
    /// Line in the source, from 1, when it came from NDJSON or a file.
    public var line: Int?
    public var id: String?
    public var code: Code
    public var reason: String

    public init(index: Int, line: Int? = nil, id: String? = nil, code: Code, reason: String) {
        self.index = index
        self.line = line
        self.id = id
        self.code = code
        self.reason = reason
    }

    public static func describe(_ code: Code) -> String {
        switch code {
        case .invalidJSON: "the document is not valid JSON"
        case .invalidUTF8: "the document is not valid UTF-8"
        case .nulCharacter: "the document contains a NUL character"
        case .tooDeep: "the document is nested too deeply"
        case .notAnObject: "a document must be a JSON object"
        case .missingID: "the document has no \"id\""
        case .invalidID: "\"id\" must be a string or integer of 1 to \(SourceDocument.maximumIDBytes) bytes"
        case .duplicateID: "the id appears earlier in the same batch"
        case .fieldTooLarge: "a field is larger than the size limit"
        case .documentTooLarge: "the document is larger than the size limit"
        case .vectorTooLarge: "the document's text is too large to index (tsvector limits: 1 MB, 16,383 positions per word)"
        }
    }
}

extension DocumentProblem.Code {
    public init(_ failure: JSONParser.Failure) {
        switch failure {
        case .syntax: self = .invalidJSON
        case .invalidUTF8: self = .invalidUTF8
        case .nulCharacter, .unpairedSurrogate: self = .nulCharacter
        case .tooDeep: self = .tooDeep
        case .stringTooLong: self = .fieldTooLarge
        }
    }
}
