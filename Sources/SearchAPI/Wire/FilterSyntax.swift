import Foundation
import SearchCore

/// Attribute filters as clients write them.
///
/// In a query string (`filter=`, repeatable, all must hold):
/// - `genre:rock` equals; `genre:rock,jazz` is any of; `year:1990..1999` an inclusive range (either end
///   may be left open);
/// - `year>=1990`, `year<=1999` one-sided ranges.
/// Values are numbers, `true`/`false`, or text; quote text that looks like a number (`code:"42"`).
///
/// In a JSON body: `{"field": "genre", "equals": "rock"}`, `{"field": "genre", "in": [...]}`,
/// `{"field": "year", "gte": 1990, "lte": 1999}`, or the string form above.
enum FilterSyntax {
    static let maximumLength = 1024

    static func parse(_ text: String) throws -> AttributeFilter {
        guard text.utf8.count <= maximumLength else {
            throw APIError.badRequest("a filter is longer than \(maximumLength) bytes")
        }
        if let range = text.range(of: ">=") ?? text.range(of: "<=") {
            let field = try fieldName(text[..<range.lowerBound])
            let bound = try value(text[range.upperBound...])
            let isLower = text[range] == ">="
            return AttributeFilter(field: field, condition: .range(lower: isLower ? bound : nil, upper: isLower ? nil : bound))
        }
        guard let colon = text.firstIndex(of: ":") else {
            throw APIError.badRequest("filter \"\(text.prefix(64))\" must be field:value, field:a,b, field:lo..hi, field>=v or field<=v")
        }
        let field = try fieldName(text[..<colon])
        let rest = text[text.index(after: colon)...]
        if !rest.hasPrefix("\""), let dots = rest.range(of: "..") {
            let lower = rest[..<dots.lowerBound].isEmpty ? nil : try value(rest[..<dots.lowerBound])
            let upper = rest[dots.upperBound...].isEmpty ? nil : try value(rest[dots.upperBound...])
            guard lower != nil || upper != nil else { throw APIError.badRequest("a range filter needs at least one bound") }
            return AttributeFilter(field: field, condition: .range(lower: lower, upper: upper))
        }
        let values = try splitValues(rest)
        return AttributeFilter(field: field, condition: values.count == 1 ? .equals(values[0]) : .anyOf(values))
    }

    static func parse(object reader: JSONObjectReader) throws -> AttributeFilter {
        try reader.rejectUnknown(known: ["field", "equals", "in", "gte", "lte"])
        guard let field = try reader.string("field"), SearchableField.isValidName(field) else {
            throw APIError.badRequest("a filter needs a valid \"field\"")
        }
        if reader.has("equals") {
            return AttributeFilter(field: field, condition: .equals(try jsonValue(reader.value("equals"))))
        }
        if let values = try reader.array("in", maximum: 100) {
            return AttributeFilter(field: field, condition: .anyOf(try values.map(jsonValue)))
        }
        let lower = reader.has("gte") ? try jsonValue(reader.value("gte")) : nil
        let upper = reader.has("lte") ? try jsonValue(reader.value("lte")) : nil
        guard lower != nil || upper != nil else {
            throw APIError.badRequest("a filter needs \"equals\", \"in\", or \"gte\"/\"lte\"")
        }
        return AttributeFilter(field: field, condition: .range(lower: lower, upper: upper))
    }

    private static func fieldName(_ text: Substring) throws -> String {
        let name = String(text)
        guard SearchableField.isValidName(name) else {
            throw APIError.badRequest("filter field \"\(name.prefix(64))\" is not a valid attribute name")
        }
        return name
    }

    /// Comma-separated values; commas inside quotes belong to the value.
    private static func splitValues(_ text: Substring) throws -> [FilterValue] {
        var values: [FilterValue] = []
        var current = ""
        var quoted = false
        for character in text {
            if character == "\"" { quoted.toggle() }
            if character == ",", !quoted {
                values.append(try value(Substring(current)))
                current = ""
            } else {
                current.append(character)
            }
        }
        values.append(try value(Substring(current)))
        return values
    }

    private static func value(_ text: Substring) throws -> FilterValue {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.count >= 2, trimmed.hasPrefix("\""), trimmed.hasSuffix("\"") {
            return .string(String(trimmed.dropFirst().dropLast()))
        }
        switch trimmed {
        case "": throw APIError.badRequest("a filter value is empty")
        case "true": return .bool(true)
        case "false": return .bool(false)
        default:
            if let number = Double(trimmed), number.isFinite, trimmed.first.map({ $0 == "-" || $0.isNumber }) == true {
                return .number(number)
            }
            return .string(trimmed)
        }
    }

    private static func jsonValue(_ value: JSONValue?) throws -> FilterValue {
        switch value {
        case .string(let text)?: return .string(text)
        case .bool(let flag)?: return .bool(flag)
        case .number?:
            guard let number = value?.doubleValue, number.isFinite else { throw APIError.badRequest("a filter number is out of range") }
            return .number(number)
        default: throw APIError.badRequest("filter values must be strings, numbers or booleans")
        }
    }
}
