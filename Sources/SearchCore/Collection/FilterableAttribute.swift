/// A top-level document attribute declared for range filters; the engine keeps an index for it.
public struct FilterableAttribute: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// JSON numbers, compared numerically.
        case number
        /// JSON strings (ISO 8601 dates sort correctly), compared as text.
        case text
    }

    public let name: String
    public let kind: Kind

    public static let maximumPerCollection = 16

    public init(name: String, kind: Kind) throws(CollectionSettingsError) {
        guard SearchableField.isValidName(name) else { throw .invalidFieldName(name) }
        self.name = name
        self.kind = kind
    }
}
