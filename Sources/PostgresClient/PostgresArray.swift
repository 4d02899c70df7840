public import Foundation

/// An element type that has a PostgreSQL array type (`text` has `text[]`).
public protocol PostgresArrayElement: PostgresEncodable, PostgresDecodable {
    static var postgresArrayDataType: PostgresDataType { get }
}

extension String: PostgresArrayElement { public static var postgresArrayDataType: PostgresDataType { .textArray } }
extension Int: PostgresArrayElement { public static var postgresArrayDataType: PostgresDataType { .int8Array } }
extension Int64: PostgresArrayElement { public static var postgresArrayDataType: PostgresDataType { .int8Array } }
extension Int32: PostgresArrayElement { public static var postgresArrayDataType: PostgresDataType { .int4Array } }
extension Int16: PostgresArrayElement { public static var postgresArrayDataType: PostgresDataType { .int2Array } }
extension Double: PostgresArrayElement { public static var postgresArrayDataType: PostgresDataType { .float8Array } }
extension Float: PostgresArrayElement { public static var postgresArrayDataType: PostgresDataType { .float4Array } }
extension Bool: PostgresArrayElement { public static var postgresArrayDataType: PostgresDataType { .boolArray } }
extension UUID: PostgresArrayElement { public static var postgresArrayDataType: PostgresDataType { .uuidArray } }
extension Date: PostgresArrayElement { public static var postgresArrayDataType: PostgresDataType { .timestamptzArray } }
extension PostgresJSONText: PostgresArrayElement { public static var postgresArrayDataType: PostgresDataType { .jsonbArray } }

extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresDataType: PostgresDataType { Element.postgresArrayDataType }

    public func postgresText() throws -> String {
        var text = "{"
        for (index, element) in enumerated() {
            if index > 0 { text += "," }
            text += PostgresArrayLiteral.quote(try element.postgresText())
        }
        return text + "}"
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> [Element] {
        guard let elementType = cell.dataType.arrayElement else {
            throw cell.failure(as: [Element].self, "the column is not an array")
        }
        let items: [String?]
        do {
            items = try PostgresArrayLiteral.parse(cell.text ?? "")
        } catch {
            throw cell.failure(as: [Element].self, "\(error)")
        }
        return try items.map { item in
            let elementCell = PostgresCell(columnName: cell.columnName, dataType: elementType, text: item)
            return item == nil ? try Element.decodeNull(elementCell) : try Element.decode(elementCell)
        }
    }
}

/// PostgreSQL's one-dimensional array literal syntax: `{a,"b c",NULL}`.
enum PostgresArrayLiteral {
    struct SyntaxError: Error, CustomStringConvertible {
        let description: String
    }

    static func quote(_ element: String) -> String {
        var out = "\""
        for scalar in element.unicodeScalars {
            if scalar == "\"" || scalar == "\\" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(scalar)
        }
        return out + "\""
    }

    static func parse(_ literal: String) throws -> [String?] {
        var chars = Substring(literal).unicodeScalars[...]
        // A leading dimension decoration ("[0:2]=") appears only for non-default bounds.
        if chars.first == "[", let eq = chars.firstIndex(of: "=") {
            chars = chars[chars.index(after: eq)...]
        }
        guard chars.first == "{", chars.last == "}" else {
            throw SyntaxError(description: "an array literal must be enclosed in braces")
        }
        chars = chars.dropFirst().dropLast()
        var items: [String?] = []
        if chars.isEmpty { return items }
        var iterator = chars.makeIterator()
        var current = String.UnicodeScalarView()
        var quoted = false, wasQuoted = false, inQuotes = false
        while let c = iterator.next() {
            if inQuotes {
                if c == "\\" {
                    if let next = iterator.next() { current.append(next) }
                } else if c == "\"" {
                    inQuotes = false
                } else {
                    current.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                inQuotes = true
                quoted = true
                wasQuoted = true
            case "{":
                throw SyntaxError(description: "multi-dimensional arrays are not supported")
            case ",":
                items.append(element(current, quoted: wasQuoted))
                current = String.UnicodeScalarView()
                quoted = false
                wasQuoted = false
            case "\\":
                if let next = iterator.next() { current.append(next) }
            default:
                if !quoted { current.append(c) }
            }
        }
        if inQuotes { throw SyntaxError(description: "unterminated quote in array literal") }
        items.append(element(current, quoted: wasQuoted))
        return items
    }

    private static func element(_ scalars: String.UnicodeScalarView, quoted: Bool) -> String? {
        let text = String(scalars)
        if !quoted {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            return trimmed.uppercased() == "NULL" ? nil : trimmed
        }
        return text
    }
}
