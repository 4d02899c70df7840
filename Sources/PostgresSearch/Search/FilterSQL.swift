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
                guard let first = lower ?? upper else {
                    throw .invalidRequest(parameter: "filter", reason: "a range needs a lower or an upper bound")
                }
                if let lower, let upper, Self.kind(lower) != Self.kind(upper) {
                    throw .invalidRequest(parameter: "filter", reason: "both ends of a range must be numbers or both strings")
                }
                // The same extractors as the attribute indexes, so a declared attribute's index applies.
                let extracted: PostgresQuery
                switch first {
                case .number: extracted = "jsonb_number(d.document -> \(filter.field))"
                case .string: extracted = "jsonb_text(d.document -> \(filter.field))"
                case .bool: throw .invalidRequest(parameter: "filter", reason: "ranges take numbers or strings")
                }
                for (bound, comparison) in [(lower, ">="), (upper, "<=")] {
                    switch bound {
                    case .number(let number)?:
                        guard number.isFinite else { throw .invalidRequest(parameter: "filter", reason: "numbers must be finite") }
                        condition.append(" AND \(extracted) \(unsafeRaw: comparison) \(number)::numeric")
                    case .string(let text)?:
                        _ = try Self.json(.string(text))
                        condition.append(" AND \(extracted) \(unsafeRaw: comparison) \(text)")
                    case .bool?, nil:
                        break
                    }
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
