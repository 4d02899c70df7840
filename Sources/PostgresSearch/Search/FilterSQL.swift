import Foundation
import PostgresClient
import SearchCore

/// Attribute filters as SQL over the document's JSONB. Equality and `anyOf` use containment (`@>`),
/// which the GIN index `idx_documents_document` serves; field names and values are bound parameters.
struct FilterSQL: Sendable {
    static let maximumValues = 100

    /// `AND ...` for each filter, or empty.
    private(set) var condition: PostgresQuery = ""
    private(set) var isEmpty = true

    init(_ filters: [AttributeFilter]) throws(SearchError) {
        isEmpty = filters.isEmpty
        for filter in filters {
            guard !filter.field.isEmpty, filter.field.utf8.count <= 128, !filter.field.unicodeScalars.contains("\u{0}") else {
                throw .invalidRequest(parameter: "filter", reason: "a field name must be 1-128 bytes")
            }
            switch filter.condition {
            case .equals(let value):
                condition.append(" AND d.document @> \(try Self.containment(filter.field, value))")
            case .anyOf(let values):
                guard (1...Self.maximumValues).contains(values.count) else {
                    throw .invalidRequest(parameter: "filter", reason: "anyOf takes 1 to \(Self.maximumValues) values")
                }
                var alternatives: PostgresQuery = " AND ("
                for (index, value) in values.enumerated() {
                    if index > 0 { alternatives.append(" OR ") }
                    alternatives.append("d.document @> \(try Self.containment(filter.field, value))")
                }
                alternatives.append(")")
                condition.append(alternatives)
            case .range(let lower, let upper):
                guard lower != nil || upper != nil else {
                    throw .invalidRequest(parameter: "filter", reason: "a range needs a lower or an upper bound")
                }
                if let lower, let upper, Self.kind(lower) != Self.kind(upper) {
                    throw .invalidRequest(parameter: "filter", reason: "both ends of a range must be numbers or both strings")
                }
                if let lower {
                    condition.append(" AND (d.document -> \(filter.field)) >= \(try Self.json(lower))")
                    condition.append(" AND jsonb_typeof(d.document -> \(filter.field)) = \(Self.kind(lower))")
                }
                if let upper {
                    condition.append(" AND (d.document -> \(filter.field)) <= \(try Self.json(upper))")
                    condition.append(" AND jsonb_typeof(d.document -> \(filter.field)) = \(Self.kind(upper))")
                }
            }
        }
    }

    private static func kind(_ value: FilterValue) -> String {
        switch value {
        case .string: "string"
        case .number: "number"
        case .bool: "boolean"
        }
    }

    static func json(_ value: FilterValue) throws(SearchError) -> PostgresJSONText {
        switch value {
        case .string(let text):
            guard !text.unicodeScalars.contains("\u{0}"), text.utf8.count <= 1024 else {
                throw .invalidRequest(parameter: "filter", reason: "a filter value must be at most 1024 bytes, without NUL")
            }
            let encoded = (try? JSONEncoder().encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
            return PostgresJSONText(encoded)
        case .number(let number):
            guard number.isFinite else { throw .invalidRequest(parameter: "filter", reason: "numbers must be finite") }
            return PostgresJSONText("\(number)")
        case .bool(let flag):
            return PostgresJSONText(flag ? "true" : "false")
        }
    }

    /// `{"field": value}` for `document @> ...`.
    private static func containment(_ field: String, _ value: FilterValue) throws(SearchError) -> PostgresJSONText {
        let key = (try? JSONEncoder().encode(field)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
        return PostgresJSONText("{\(key): \(try json(value).text)}")
    }
}
