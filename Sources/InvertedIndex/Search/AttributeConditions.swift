import Foundation
import SearchCore

/// Attribute filters with the Postgres engine's semantics: equality and `anyOf` are JSONB containment
/// of a top-level scalar (`document @> {"field": value}`: numbers compare numerically, arrays do not
/// contain scalars at this level); ranges use `jsonb_number`/`jsonb_text` (a value of another type never
/// matches). Strings compare by their bytes, as in the C collation.
struct AttributeConditions: Sendable {
    static let maximumValues = 100

    private let filters: [AttributeFilter]

    var isEmpty: Bool { filters.isEmpty }

    /// Checks every filter as the Postgres engine does and refuses the same requests.
    init(_ filters: [AttributeFilter]) throws(SearchError) {
        for filter in filters {
            guard !filter.field.isEmpty, filter.field.utf8.count <= 128, !filter.field.unicodeScalars.contains("\u{0}") else {
                throw .invalidRequest(parameter: "filter", reason: "a field name must be 1-128 bytes")
            }
            switch filter.condition {
            case .equals(let value):
                try Self.check(value)
            case .anyOf(let values):
                guard (1...Self.maximumValues).contains(values.count) else {
                    throw .invalidRequest(parameter: "filter", reason: "anyOf takes 1 to \(Self.maximumValues) values")
                }
                for value in values { try Self.check(value) }
            case .range(let lower, let upper):
                guard let first = lower ?? upper else {
                    throw .invalidRequest(parameter: "filter", reason: "a range needs a lower or an upper bound")
                }
                if let lower, let upper, Self.kind(lower) != Self.kind(upper) {
                    throw .invalidRequest(parameter: "filter", reason: "both ends of a range must be numbers or both strings")
                }
                if case .bool = first { throw .invalidRequest(parameter: "filter", reason: "ranges take numbers or strings") }
                for bound in [lower, upper].compactMap({ $0 }) { try Self.check(bound) }
            }
        }
        self.filters = filters
    }

    private static func check(_ value: FilterValue) throws(SearchError) {
        switch value {
        case .string(let text):
            guard !text.unicodeScalars.contains("\u{0}"), text.utf8.count <= 1024 else {
                throw .invalidRequest(parameter: "filter", reason: "a filter value must be at most 1024 bytes, without NUL")
            }
        case .number(let number):
            guard number.isFinite else { throw .invalidRequest(parameter: "filter", reason: "numbers must be finite") }
        case .bool:
            break
        }
    }

    private static func kind(_ value: FilterValue) -> Int {
        switch value {
        case .string: 0
        case .number: 1
        case .bool: 2
        }
    }

    func matches(_ document: JSONValue) -> Bool {
        filters.allSatisfy { filter in
            let value = document[filter.field]
            switch filter.condition {
            case .equals(let wanted):
                return Self.equals(value, wanted)
            case .anyOf(let wanted):
                return wanted.contains { Self.equals(value, $0) }
            case .range(let lower, let upper):
                return Self.within(value, lower: lower, upper: upper)
            }
        }
    }

    private static func equals(_ value: JSONValue?, _ wanted: FilterValue) -> Bool {
        switch (value, wanted) {
        case (.string(let text)?, .string(let other)): text.utf8.elementsEqual(other.utf8)
        case (.number(let text)?, .number(let other)): Decimal(string: text).map { $0 == Self.decimal(other) } ?? (Double(text) == other)
        case (.bool(let flag)?, .bool(let other)): flag == other
        default: false
        }
    }

    /// A bound as PostgreSQL reads it: the number's shortest text, cast to numeric.
    private static func decimal(_ number: Double) -> Decimal {
        Decimal(string: "\(number)") ?? Decimal(number)
    }

    private static func within(_ value: JSONValue?, lower: FilterValue?, upper: FilterValue?) -> Bool {
        switch value {
        case .number(let text)?:
            guard let number = Decimal(string: text) else { return false }
            if case .number(let bound)? = lower, number < Self.decimal(bound) { return false }
            if case .number(let bound)? = upper, number > Self.decimal(bound) { return false }
            if case .string? = lower ?? upper { return false }
            return true
        case .string(let text)?:
            if case .string(let bound)? = lower, text.utf8.lexicographicallyPrecedes(bound.utf8) { return false }
            if case .string(let bound)? = upper, bound.utf8.lexicographicallyPrecedes(text.utf8) { return false }
            if case .number? = lower ?? upper { return false }
            return true
        default:
            return false
        }
    }
}

/// PostgreSQL's `jsonb` ordering, for `sort`: null < strings < numbers < booleans < arrays < objects;
/// arrays and objects by size first, then element by element (object keys shorter first, then by bytes).
enum JSONOrdering {
    static func compare(_ a: JSONValue, _ b: JSONValue) -> Int {
        let rankA = rank(a), rankB = rank(b)
        if rankA != rankB { return rankA < rankB ? -1 : 1 }
        switch (a, b) {
        case (.string(let x), .string(let y)):
            return x.utf8.elementsEqual(y.utf8) ? 0 : (x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1)
        case (.number(let x), .number(let y)):
            let dx = Decimal(string: x) ?? 0, dy = Decimal(string: y) ?? 0
            return dx == dy ? 0 : (dx < dy ? -1 : 1)
        case (.bool(let x), .bool(let y)):
            return x == y ? 0 : (!x ? -1 : 1)
        case (.array(let x), .array(let y)):
            if x.count != y.count { return x.count < y.count ? -1 : 1 }
            for (left, right) in zip(x, y) {
                let order = compare(left, right)
                if order != 0 { return order }
            }
            return 0
        case (.object(let x), .object(let y)):
            if x.count != y.count { return x.count < y.count ? -1 : 1 }
            let keysX = x.keys.sorted(by: keyOrder), keysY = y.keys.sorted(by: keyOrder)
            for (keyX, keyY) in zip(keysX, keysY) {
                if keyX != keyY { return keyOrder(keyX, keyY) ? -1 : 1 }
                if let left = x[keyX], let right = y[keyY] {
                    let order = compare(left, right)
                    if order != 0 { return order }
                }
            }
            return 0
        default:
            return 0
        }
    }

    private static func rank(_ value: JSONValue) -> Int {
        switch value {
        case .null: 0
        case .string: 1
        case .number: 2
        case .bool: 3
        case .array: 4
        case .object: 5
        }
    }

    private static func keyOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.count != b.utf8.count ? a.utf8.count < b.utf8.count : a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
