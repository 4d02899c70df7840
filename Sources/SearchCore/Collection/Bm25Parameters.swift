/// Okapi BM25's two free parameters.
public struct Bm25Parameters: Sendable, Hashable, Codable {
    /// Term-frequency saturation. Lucene's flat BM25 uses 0.9 on BEIR collections.
    public let k1: Double
    /// Length normalisation, from 0 (none) to 1 (full).
    public let b: Double

    public static let k1Range: ClosedRange<Double> = 0...10
    public static let bRange: ClosedRange<Double> = 0...1
    public static let `default` = Bm25Parameters(uncheckedK1: 0.9, b: 0.4)

    public init(k1: Double, b: Double) throws(CollectionSettingsError) {
        guard k1.isFinite, Self.k1Range.contains(k1) else { throw .bm25OutOfRange(parameter: "k1", value: k1) }
        guard b.isFinite, Self.bRange.contains(b) else { throw .bm25OutOfRange(parameter: "b", value: b) }
        self.k1 = k1
        self.b = b
    }

    private init(uncheckedK1 k1: Double, b: Double) {
        self.k1 = k1
        self.b = b
    }
}

/// Why a collection's settings were rejected.
public enum CollectionSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidCollectionName(String)
    case invalidFieldName(String)
    case bm25OutOfRange(parameter: String, value: Double)
    case classWeightOutOfRange(Double)
    case fieldCount(Int)
    case duplicateField
    case attributeCount(Int)

    public var description: String {
        switch self {
        case .invalidCollectionName(let name):
            "collection name \"\(name.prefix(80))\" is invalid: use 1-64 lowercase letters, digits, '_' or '-', starting with a letter or digit"
        case .invalidFieldName(let name):
            "field name \"\(name.prefix(80))\" is invalid: start with a letter or '_', then letters, digits, '_', '.' or '-' (at most 128)"
        case .bm25OutOfRange(let parameter, let value):
            "BM25 \(parameter) = \(value) is out of range (k1 in \(Bm25Parameters.k1Range), b in \(Bm25Parameters.bRange))"
        case .classWeightOutOfRange(let value):
            "weight class multiplier \(value) is out of range (\(ClassWeights.range))"
        case .fieldCount(let count):
            "a collection needs 1 to \(CollectionDefinition.maximumFields) searchable fields, not \(count)"
        case .duplicateField:
            "a field or attribute is listed twice"
        case .attributeCount(let count):
            "a collection can declare at most \(FilterableAttribute.maximumPerCollection) filterable attributes, not \(count)"
        }
    }
}

/// A collection's name: 1-64 characters of `a-z`, `0-9`, `_`, `-`, starting with a letter or digit.
public struct CollectionName: Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) throws(CollectionSettingsError) {
        let scalars = rawValue.unicodeScalars
        func allowed(_ s: Unicode.Scalar, first: Bool) -> Bool {
            ("a"..."z").contains(s) || ("0"..."9").contains(s) || (!first && (s == "_" || s == "-"))
        }
        guard let head = scalars.first, scalars.count <= 64, allowed(head, first: true),
            scalars.dropFirst().allSatisfy({ allowed($0, first: false) })
        else { throw .invalidCollectionName(rawValue) }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
}
