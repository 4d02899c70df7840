/// PostgreSQL's four tsvector weight classes. A field's weight scales how much a match in it counts.
public enum FieldWeight: String, Sendable, Codable, CaseIterable, Comparable {
    case a = "A"
    case b = "B"
    case c = "C"
    case d = "D"

    public static func < (lhs: FieldWeight, rhs: FieldWeight) -> Bool {
        // A is the strongest class, so it sorts first.
        lhs.rawValue < rhs.rawValue
    }
}

/// A document field that is indexed for full-text search, with its weight.
public struct SearchableField: Sendable, Hashable, Codable {
    public let name: String
    public let weight: FieldWeight

    /// Field names: a letter or underscore, then letters, digits, `_`, `.` or `-`; at most 128 characters.
    public init(name: String, weight: FieldWeight) throws(CollectionSettingsError) {
        guard Self.isValidName(name) else { throw .invalidFieldName(name) }
        self.name = name
        self.weight = weight
    }

    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 128 else { return false }
        func isASCIILetter(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) || ("A"..."Z").contains(s) }
        guard isASCIILetter(first) || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { s in
            isASCIILetter(s) || ("0"..."9").contains(s) || s == "_" || s == "." || s == "-"
        }
    }
}
