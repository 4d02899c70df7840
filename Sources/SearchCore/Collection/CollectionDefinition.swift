/// Everything that defines a collection's analysis and ranking.
public struct CollectionDefinition: Sendable, Hashable, Codable {
    public var name: CollectionName
    /// Searchable fields in the order their text is indexed.
    public var fields: [SearchableField]
    public var language: TextSearchLanguage
    public var bm25: Bm25Parameters
    /// How much a match in weight class A, B, C, D counts.
    public var classWeights: ClassWeights
    /// Attributes that take range filters.
    public var filterableAttributes: [FilterableAttribute]

    public static let maximumFields = 32

    public init(
        name: CollectionName, fields: [SearchableField], language: TextSearchLanguage = .english,
        bm25: Bm25Parameters = .default, classWeights: ClassWeights = .flat,
        filterableAttributes: [FilterableAttribute] = []
    ) throws(CollectionSettingsError) {
        guard !fields.isEmpty, fields.count <= Self.maximumFields else { throw .fieldCount(fields.count) }
        guard Set(fields.map(\.name)).count == fields.count else { throw .duplicateField }
        guard filterableAttributes.count <= FilterableAttribute.maximumPerCollection else {
            throw .attributeCount(filterableAttributes.count)
        }
        guard Set(filterableAttributes.map(\.name)).count == filterableAttributes.count else { throw .duplicateField }
        self.name = name
        self.fields = fields
        self.language = language
        self.bm25 = bm25
        self.classWeights = classWeights
        self.filterableAttributes = filterableAttributes
    }
}

/// Per-class multipliers for BM25F-style weighting; index 0 is class A.
public struct ClassWeights: Sendable, Hashable, Codable {
    public let values: [Double]

    public static let flat = ClassWeights(unchecked: [1, 1, 1, 1])
    public static let range: ClosedRange<Double> = 0...100

    public init(a: Double, b: Double, c: Double, d: Double) throws(CollectionSettingsError) {
        for value in [a, b, c, d] where !(value.isFinite && Self.range.contains(value)) {
            throw .classWeightOutOfRange(value)
        }
        values = [a, b, c, d]
    }

    private init(unchecked values: [Double]) {
        self.values = values
    }

    public func weight(of weight: FieldWeight) -> Double {
        values[FieldWeight.allCases.firstIndex(of: weight) ?? 0]
    }
}

/// PostgreSQL's built-in text search configurations, the only ones a collection may name.
public enum TextSearchLanguage: String, Sendable, Hashable, Codable, CaseIterable {
    case simple, arabic, armenian, basque, catalan, danish, dutch, english, finnish, french, german, greek
    case hindi, hungarian, indonesian, irish, italian, lithuanian, nepali, norwegian, portuguese, romanian
    case russian, serbian, spanish, swedish, tamil, turkish, yiddish
}
