import HTTPTypes
import SearchCore

/// Collections in JSON:
/// `{"name", "fields": [{"name", "weight": "A"-"D"}], "language", "ranking": {"k1", "b", "class_weights":
/// {"A", "B", "C", "D"}}, "filterable_attributes": [{"name", "kind": "number"|"text"}], "document_count"}`.
enum CollectionWire {
    static func json(_ info: CollectionInfo) -> JSONValue {
        let definition = info.definition
        let classWeights = Dictionary(uniqueKeysWithValues: zip(FieldWeight.allCases, definition.classWeights.values).map {
            ($0.0.rawValue, JSONValue.number(number($0.1)))
        })
        return .object([
            "name": .string(definition.name.rawValue),
            "fields": .array(definition.fields.map {
                .object(["name": .string($0.name), "weight": .string($0.weight.rawValue)])
            }),
            "language": .string(definition.language.rawValue),
            "ranking": .object([
                "k1": .number(number(definition.bm25.k1)), "b": .number(number(definition.bm25.b)),
                "class_weights": .object(classWeights),
            ]),
            "filterable_attributes": .array(definition.filterableAttributes.map {
                .object(["name": .string($0.name), "kind": .string($0.kind.rawValue)])
            }),
            "document_count": .number(String(info.documentCount)),
        ])
    }

    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// `POST /v1/collections`.
    static func definition(from body: JSONObjectReader) throws -> CollectionDefinition {
        try body.rejectUnknown(known: ["name", "fields", "language", "ranking", "filterable_attributes"])
        guard let name = try body.string("name") else { throw APIError.badRequest("\"name\" is required") }
        guard let fields = try self.fields(body) else { throw APIError.badRequest("\"fields\" is required") }
        let ranking = try self.ranking(body)
        return try settings {
            try CollectionDefinition(
                name: try CollectionName(name), fields: fields, language: try language(body) ?? .english,
                bm25: try ranking.bm25 ?? .default, classWeights: try ranking.classWeights ?? .flat,
                filterableAttributes: try attributes(body) ?? [])
        }
    }

    /// `PATCH /v1/collections/{name}`.
    static func update(from body: JSONObjectReader) throws -> CollectionUpdate {
        try body.rejectUnknown(known: ["fields", "language", "ranking", "filterable_attributes"])
        let ranking = try self.ranking(body)
        return try settings {
            CollectionUpdate(
                fields: try fields(body), language: try language(body), bm25: try ranking.bm25, classWeights: try ranking.classWeights,
                filterableAttributes: try attributes(body))
        }
    }

    /// Settings errors are 422: the JSON was fine, the values are not.
    private static func settings<T>(_ build: () throws -> T) throws -> T {
        do {
            return try build()
        } catch let error as CollectionSettingsError {
            throw APIError(.unprocessableContent, code: "invalid_settings", message: error.description)
        }
    }

    private static func fields(_ body: JSONObjectReader) throws -> [SearchableField]? {
        try body.array("fields", maximum: CollectionDefinition.maximumFields).map { values in
            try values.map { value in
                let field = try JSONObjectReader(value, path: "fields[]")
                try field.rejectUnknown(known: ["name", "weight"])
                guard let name = try field.string("name") else { throw APIError.badRequest("each field needs a \"name\"") }
                let weightText = try field.string("weight") ?? "D"
                guard let weight = FieldWeight(rawValue: weightText.uppercased()) else {
                    throw APIError(.unprocessableContent, code: "invalid_settings", message: "a field weight is one of A, B, C, D")
                }
                return try settings { try SearchableField(name: name, weight: weight) }
            }
        }
    }

    private static func language(_ body: JSONObjectReader) throws -> TextSearchLanguage? {
        guard let text = try body.string("language") else { return nil }
        guard let language = TextSearchLanguage(rawValue: text) else {
            throw APIError(.unprocessableContent, code: "invalid_settings", message: "language \"\(text.prefix(32))\" is not supported")
        }
        return language
    }

    private static func ranking(_ body: JSONObjectReader) throws -> (bm25: Bm25Parameters?, classWeights: ClassWeights?) {
        guard let ranking = try body.object("ranking") else { return (nil, nil) }
        try ranking.rejectUnknown(known: ["k1", "b", "class_weights"])
        let k1 = try ranking.double("k1")
        let b = try ranking.double("b")
        let bm25 = try settings { () throws -> Bm25Parameters? in
            guard k1 != nil || b != nil else { return nil }
            return try Bm25Parameters(k1: k1 ?? Bm25Parameters.default.k1, b: b ?? Bm25Parameters.default.b)
        }
        var classWeights: ClassWeights?
        if let weights = try ranking.object("class_weights") {
            try weights.rejectUnknown(known: ["A", "B", "C", "D"])
            classWeights = try settings {
                try ClassWeights(a: try weights.double("A") ?? 1, b: try weights.double("B") ?? 1, c: try weights.double("C") ?? 1, d: try weights.double("D") ?? 1)
            }
        }
        return (bm25, classWeights)
    }

    private static func attributes(_ body: JSONObjectReader) throws -> [FilterableAttribute]? {
        try body.array("filterable_attributes", maximum: FilterableAttribute.maximumPerCollection).map { values in
            try values.map { value in
                let attribute = try JSONObjectReader(value, path: "filterable_attributes[]")
                try attribute.rejectUnknown(known: ["name", "kind"])
                guard let name = try attribute.string("name") else { throw APIError.badRequest("each attribute needs a \"name\"") }
                guard let kind = FilterableAttribute.Kind(rawValue: try attribute.string("kind") ?? "text") else {
                    throw APIError(.unprocessableContent, code: "invalid_settings", message: "an attribute kind is number or text")
                }
                return try settings { try FilterableAttribute(name: name, kind: kind) }
            }
        }
    }
}
